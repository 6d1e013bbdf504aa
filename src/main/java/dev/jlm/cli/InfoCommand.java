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
        for (String lib : Torch.loadedLibraries()) System.out.println("  library:       " + lib);
        System.out.println("CUDA compiled in:" + " " + (Torch.cudaCompiled() ? "yes" : "no (a CPU libtorch)"));
        System.out.println("CUDA available:  " + (Torch.cudaAvailable() ? "yes, " + Torch.cudaDeviceCount() + " device(s)" : "no"));
        System.out.println("devices:         " + Torch.devices().stream().map(Device::toString).collect(Collectors.joining(", ")));
        System.out.println("intra-op threads:" + " " + Torch.numThreads());
        System.out.println("BLAS:            " + blas());
        System.out.println("default device:  " + Device.AUTO.resolve() + " (--device auto)");
        System.out.println("kernels:         " + kernels(dev.jlm.nn.Kernels.Choice.AUTO) + " (--kernels auto)");
        System.out.println("distributed:     " + backends() + " (c10d process-group backends in this shim; train --nproc N, or torchrun)");
        System.out.println("java:            " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    }

    /** The BLAS library libtorch loaded into this process (which build the launcher picked), and the OpenMP wait policy. */
    private static String blas() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        String suffix = policy == null ? "" : " (OMP_WAIT_POLICY=" + policy + ")";
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> (f.contains("blas") || f.contains("libmkl")) && !f.contains("cublas"))   // the CPU's BLAS
                    .findFirst().orElse("none mapped: linked into libtorch itself (a pip wheel's MKL)") + suffix;
        } catch (IOException | UncheckedIOException e) {
            return "unknown (/proc/self/maps: " + e.getMessage() + ")" + suffix;
        }
    }

    /** What a kernels choice means on this libtorch, for the first line of a run and `jlm info`. */
    static String kernels(dev.jlm.nn.Kernels.Choice c) {
        if (c == dev.jlm.nn.Kernels.Choice.REFERENCE) return "reference kernels (the CS336 modules)";
        return "fused kernels" + (c == dev.jlm.nn.Kernels.Choice.AUTO ? " (auto)" : "") + ": attention by " + (Torch.hasFusedAttention()
                ? "scaled_dot_product_attention" : "baddbmm, softmax and bmm in one call (no SDPA in libtorch < 2.0)");
    }

    private static String backends() {
        String b = Arrays.stream(ProcessGroup.Backend.values()).filter(ProcessGroup.Backend::available).map(ProcessGroup.Backend::spelling)
                .collect(Collectors.joining(", "));
        return b.isEmpty() ? "none" : b;
    }
}
