package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jlm.tensor.Torch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The launcher's process environment (scripts/lib/runtime-env.sh), as `scripts/jlm info` reports it from inside. */
class LauncherEnvironmentTest {
    static final Path ROOT = Path.of(System.getProperty("jlm.root", ".")).toAbsolutePath();
    static final Path OPENMP_BUILD = Path.of("/usr/lib", ("amd64".equals(System.getProperty("os.arch")) ? "x86_64" : System.getProperty("os.arch"))
            + "-linux-gnu", "openblas-openmp", "libopenblas.so.0");

    @Test
    void libtorchRunsOnOpenBlasOpenMpBuildWithoutPassiveWaiting() throws Exception {
        assumeDebiansLibtorch();
        assumeTrue(Files.exists(OPENMP_BUILD), "scripts/setup installs libopenblas0-openmp; not here: " + OPENMP_BUILD);
        String blas = blasLine(Map.of());
        assertTrue(blas.contains("/openblas-openmp/"), blas);
        assertFalse(blas.contains("OMP_WAIT_POLICY"), blas);
    }

    @Test
    void jlmBlasPthreadKeepsDebiansBuildWithPassiveWaiting() throws Exception {
        assumeDebiansLibtorch();
        String blas = blasLine(Map.of("JLM_BLAS", "pthread"));
        assertFalse(blas.contains("/openblas-openmp/"), blas);
        assertTrue(blas.contains("blas"), blas);
        assertTrue(blas.endsWith("(OMP_WAIT_POLICY=PASSIVE)"), blas);
    }

    /** A pip libtorch brings its own BLAS and OpenMP: the launcher sets neither a library path nor a wait policy. */
    @Test
    void aPipLibtorchKeepsItsOwnBlasAndWaitPolicy() throws Exception {
        assumeTrue(!debiansLibtorch(), "Debian's libtorch: the tests above");
        for (String choice : List.of("openmp", "pthread")) {
            String blas = blasLine(Map.of("JLM_BLAS", choice));
            assertFalse(blas.contains("OMP_WAIT_POLICY"), blas);
            assertFalse(blas.contains("/usr/lib/"), "Debian's OpenBLAS mapped beside a pip libtorch: " + blas);
        }
    }

    /** The BLAS choice exists only where libtorch loads Debian's OpenBLAS: the Debian lane (scripts/test --lanes all). */
    static void assumeDebiansLibtorch() throws java.io.IOException {
        assumeTrue(debiansLibtorch(), "a pip libtorch links its own BLAS: " + Torch.libraryPath());
    }

    /** Whether the loaded libtorch is Debian's (/usr/lib/<arch>, also when named through the /lib link). */
    static boolean debiansLibtorch() throws java.io.IOException {
        return Path.of(Torch.libraryPath()).toRealPath().startsWith("/usr/lib/");
    }

    @Test
    void aMistypedEnvironmentChoiceIsRefusedInOneLine() throws Exception {
        var r = launcherInfo(Map.of("JLM_BLAS", "opnemp"));
        assertEquals(2, r.code(), r.out());
        assertEquals("jlm: JLM_BLAS must be openmp or pthread, got 'opnemp'", r.out().strip());
    }

    record Result(int code, String out) {}

    /** The "BLAS:" line of `scripts/jlm info` run with a clean process environment plus {@code env}. */
    static String blasLine(Map<String, String> env) throws Exception {
        var r = launcherInfo(env);
        assertEquals(0, r.code(), r.out());
        return r.out().lines().filter(l -> l.startsWith("BLAS:")).findFirst().orElseThrow(() -> new AssertionError("no BLAS line in:\n" + r.out())).trim();
    }

    /** `scripts/jlm info` run with a clean process environment plus {@code env}: exit code and output. */
    static Result launcherInfo(Map<String, String> env) throws Exception {
        assumeTrue(Files.exists(ROOT.resolve("target/classpath.txt")), "scripts/setup writes target/classpath.txt, which the launcher needs");
        var pb = new ProcessBuilder(List.of("bash", ROOT.resolve("scripts/jlm").toString(), "info")).redirectErrorStream(true);
        for (String k : List.of("LD_LIBRARY_PATH", "LD_PRELOAD", "OMP_WAIT_POLICY", "JLM_BLAS", "JLM_MALLOC", "JLM_JAVA_OPTS")) pb.environment().remove(k);
        pb.environment().put("JLM_NATIVE", System.getProperty("jlm.native"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);   // bash's java child too: nothing is left running
            p.destroyForcibly();
            throw new AssertionError("scripts/jlm info timed out after 60 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }
}
