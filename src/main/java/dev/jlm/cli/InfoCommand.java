package dev.jlm.cli;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.ProcessGroup;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "info", header = "Print the libtorch version, CUDA availability, devices, threads, the BLAS library, distributed backends and the shim's path.")
final class InfoCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("jlm shim:        " + Torch.shimPath());
        System.out.println("libtorch:        " + Torch.version() + " (built against), loaded from " + Torch.libraryPath());
        System.out.println("CUDA available:  " + (Torch.cudaAvailable() ? "yes, " + Torch.cudaDeviceCount() + " device(s)" : "no"));
        System.out.println("devices:         " + Torch.devices().stream().map(Device::toString).collect(Collectors.joining(", ")));
        System.out.println("intra-op threads:" + " " + Torch.numThreads());
        System.out.println("BLAS:            " + blas());
        System.out.println("fused attention: " + (Torch.hasFusedAttention() ? "yes" : "no (libtorch < 2.0)"));
        System.out.println("distributed:     " + backends() + " (c10d process-group backends in this shim; train --nproc N, or torchrun)");
        System.out.println("java:            " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    }

    /** The BLAS library libtorch loaded into this process (which build the launcher picked), and the OpenMP wait policy. */
    private static String blas() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        String suffix = policy == null ? "" : " (OMP_WAIT_POLICY=" + policy + ")";
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> f.contains("blas") || f.contains("libmkl"))
                    .findFirst().orElse("none mapped") + suffix;
        } catch (IOException | UncheckedIOException e) {
            return "unknown (/proc/self/maps: " + e.getMessage() + ")" + suffix;
        }
    }

    private static String backends() {
        String b = Arrays.stream(ProcessGroup.Backend.values()).filter(ProcessGroup.Backend::available).map(ProcessGroup.Backend::spelling)
                .collect(Collectors.joining(", "));
        return b.isEmpty() ? "none" : b;
    }
}
