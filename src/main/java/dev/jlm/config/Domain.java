package dev.jlm.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The valid values of a setting (a config record's component) or of a command-line option, declared once, where the
 * value is declared: "> 0", ">= 0", ">= N", "in (0, 1]", "in [0, 1)", "in [a, b]", "one of a, b", "all or > 0",
 * "cpu or cuda:N", "auto, cpu or cuda:N". An enum setting needs none: its domain is its constants. {@link Domains} checks
 * values against it and the CLI shows it in the help.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT})
public @interface Domain {
    String value();
}
