package dev.jlm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.provider.ArgumentsSource;
import org.junit.jupiter.params.support.AnnotationConsumer;

/**
 * A parameterized test's cases: {@code count} case seeds drawn from {@code seed} ({@link Seeded#seeds}), each a long
 * argument — what a property test's tries are, in plain JUnit 5.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ArgumentsSource(Seeds.Provider.class)
public @interface Seeds {
    long seed();

    int count();

    final class Provider implements ArgumentsProvider, AnnotationConsumer<Seeds> {
        private Seeds seeds;

        @Override
        public void accept(Seeds s) {
            seeds = s;
        }

        @Override
        public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
            return Seeded.seeds(seeds.seed(), seeds.count()).mapToObj(Arguments::of);
        }
    }
}
