package dev.jlm.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The valid values of an option, declared once on its field: "> 0", ">= 0", ">= 1", "in (0, 1]", "in [0, 1)",
 * "cpu or cuda:N", "one of a, b, c". {@link Domains} appends it to the option's help text and checks every value
 * (flag, --config entry or default) against it before a command starts any work.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Domain {
    String value();
}
