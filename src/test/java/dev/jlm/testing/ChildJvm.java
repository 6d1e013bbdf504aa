package dev.jlm.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that runs jlm in a child JVM with this test run's JDK, class path and shim. */
public final class ChildJvm {
    private ChildJvm() {}

    /** java … dev.jlm.cli.Jlm ARGS */
    public static List<String> jlm(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djlm.native=" + System.getProperty("jlm.native"),
                "-cp", System.getProperty("java.class.path"), "dev.jlm.cli.Jlm"));
        cmd.addAll(args);
        return cmd;
    }
}
