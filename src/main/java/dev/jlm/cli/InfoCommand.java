package dev.jlm.cli;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.ProcessGroup;
import dev.jlm.tensor.Torch;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "info", header = "Print the libtorch version, CUDA availability, devices, threads, distributed backends and the shim's path.")
final class InfoCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("jlm shim:        " + Torch.shimPath());
        System.out.println("libtorch:        " + Torch.version() + " (built against), loaded from " + Torch.libraryPath());
        System.out.println("CUDA available:  " + (Torch.cudaAvailable() ? "yes, " + Torch.cudaDeviceCount() + " device(s)" : "no"));
        System.out.println("devices:         " + Torch.devices().stream().map(Device::toString).collect(Collectors.joining(", ")));
        System.out.println("intra-op threads:" + " " + Torch.numThreads());
        System.out.println("fused attention: " + (Torch.hasFusedAttention() ? "yes" : "no (libtorch < 2.0)"));
        System.out.println("distributed:     " + backends() + " (c10d process-group backends in this shim; train --nproc N, or torchrun)");
        System.out.println("java:            " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    }

    private static String backends() {
        String b = Arrays.stream(ProcessGroup.Backend.values()).filter(ProcessGroup.Backend::available).map(ProcessGroup.Backend::spelling)
                .collect(Collectors.joining(", "));
        return b.isEmpty() ? "none" : b;
    }
}
