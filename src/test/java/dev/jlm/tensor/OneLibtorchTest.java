package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One libtorch per process. With Debian's libtorch-dev installed beside a pip torch, TorchConfig.cmake once linked
 * Debian's libc10 next to the wheel's libtorch_cpu, and the first call aborted the JVM (DispatchKeySet.cpp: INTERNAL
 * ASSERT FAILED). Oracle: the dynamic loader itself (ldd of the shim) and the kernel's map of this process.
 */
class OneLibtorchTest {
    /** "libc10.so => /usr/lib/x86_64-linux-gnu/libc10.so.1.13 (0x…)": the name asked for and the file the loader chose. */
    static final Pattern LDD_LINE = Pattern.compile("^\\s*(\\S+) => (\\S+) \\(0x[0-9a-f]+\\)$");

    @Test
    void theShimResolvesOneLibtorchInstall() throws Exception {
        String shim = System.getProperty("jlm.native");
        Process p = new ProcessBuilder("ldd", shim).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "ldd " + shim + ": " + out);
        Map<String, Path> torch = torchLibraries(out);
        assertTrue(torch.keySet().stream().anyMatch(n -> n.startsWith("libc10")) && torch.keySet().stream().anyMatch(n -> n.startsWith("libtorch")),
                "ldd names neither libc10 nor libtorch: " + out);
        assertEquals(List.of(), violations(torch), out);
        assertFalse(out.contains("not found"), out);
    }

    /** What the loader mapped into this JVM (after the shim loaded) is one folder too, and libtorch's path is in it. */
    @Test
    void thisProcessMapsOneLibtorchFolder() {
        List<String> loaded = Torch.loadedLibraries();
        assertFalse(loaded.isEmpty(), "no libtorch library mapped");
        TreeSet<Path> folders = new TreeSet<>(), files = new TreeSet<>();
        for (String f : loaded) {
            folders.add(real(Path.of(f).getParent()));
            files.add(real(Path.of(f)));
        }
        assertEquals(1, folders.size(), "libtorch libraries from two folders: " + loaded);
        // dladdr may name the library by a link (Debian's /lib → /usr/lib, libtorch_cpu.so.1.13 → .1.13.0): one real file
        assertTrue(files.contains(real(Path.of(Torch.libraryPath()))), Torch.libraryPath() + " not in " + loaded);
    }

    /** The check can fail: the ldd output of the mixed build that aborted the JVM is two installs. */
    @Test
    void aMixedBuildIsTwoInstalls() {
        String mixed = """
                \tlibtorch.so => /venv/lib/python3.11/site-packages/torch/lib/libtorch.so (0x00007f948cd52000)
                \tlibc10.so => /usr/lib/x86_64-linux-gnu/libc10.so.1.13 (0x00007f948cc22000)
                \tlibtorch_cpu.so => /venv/lib/python3.11/site-packages/torch/lib/libtorch_cpu.so (0x00007f9478200000)
                \tlibgomp.so.1 => /venv/lib/python3.11/site-packages/torch/lib/libgomp.so.1 (0x00007f9477800000)
                """;
        assertEquals(List.of("two folders: [/usr/lib/x86_64-linux-gnu, /venv/lib/python3.11/site-packages/torch/lib]"),
                violations(torchLibraries(mixed)));
        String twice = mixed.replace("/usr/lib/x86_64-linux-gnu/libc10.so.1.13", "/venv/lib/python3.11/site-packages/torch/lib/libc10.so")
                + "\tlibc10.so.1.13 => /venv/lib/python3.11/site-packages/torch/lib/libc10.so.1.13 (0x00007f9477000000)\n";
        assertEquals(List.of("libc10 twice: libc10.so, libc10.so.1.13"), violations(torchLibraries(twice)));
    }

    static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** libtorch's own libraries among ldd's lines: resolved file name → path. */
    static Map<String, Path> torchLibraries(String ldd) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String line : ldd.lines().toList()) {
            Matcher m = LDD_LINE.matcher(line);
            if (!m.matches()) continue;
            Path file = Path.of(m.group(2));
            if (Torch.TORCH_LIBRARY.matcher(file.getFileName().toString()).matches()) out.put(file.getFileName().toString(), file);
        }
        return out;
    }

    /** Two folders, or one library (libc10, libtorch_cpu, …) under two file names: each a violation. */
    static List<String> violations(Map<String, Path> libs) {
        List<String> out = new ArrayList<>();
        TreeSet<String> folders = new TreeSet<>();
        for (Path p : libs.values()) folders.add(p.getParent().toString());
        if (folders.size() > 1) out.add("two folders: " + folders);
        Map<String, List<String>> byLibrary = new LinkedHashMap<>();
        for (String name : libs.keySet()) byLibrary.computeIfAbsent(name.substring(0, name.indexOf(".so")), k -> new ArrayList<>()).add(name);
        byLibrary.forEach((lib, names) -> {
            if (names.size() > 1) out.add(lib + " twice: " + String.join(", ", names));
        });
        return out;
    }
}
