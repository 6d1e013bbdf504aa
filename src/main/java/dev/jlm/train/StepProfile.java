package dev.jlm.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a training step's time goes, from libtorch's profiler events (see {@code Profiler}): self time (an operator's
 * time minus the operators it called) by operator, and by model component and phase. Forward operators belong to the
 * component range they ran in (attention, ffn, norm, embedding, lm_head, loss); a backward operator to the component
 * of the forward operator that made its autograd node (matched by sequence number); the optimizer phase to its ranges.
 * On a GPU each event also carries when the stream reached it, so each component gets its GPU time too: the stream's
 * time between its start and end, kernels and any wait for the host to launch them. GPU time near the CPU time means
 * the component is launch-bound (the GPU waited for the host); far above it, the GPU is the limit.
 */
public final class StepProfile {
    /** Ranges the training loop and the modules open (Profiler.range); any other event is an operator. */
    static final Set<String> COMPONENTS = Set.of("embedding", "norm", "attention", "ffn", "lm_head", "loss", "allreduce", "clip",
            "optimizer", "zero_grad");
    static final Set<String> OPTIMIZER = Set.of("allreduce", "clip", "optimizer", "zero_grad");
    static final String BACKWARD = "backward", ENGINE = "autograd::engine::evaluate_function: ";

    /** Self time of one operator in one component and phase, over all profiled steps. */
    record Cell(String op, String component, String phase) {}

    private final Map<Cell, long[]> cells = new HashMap<>();   // → {self ns, calls, GPU self ns}
    private boolean gpu;                                         // the events carry GPU times
    private long gpuFirst = Long.MAX_VALUE, gpuLast = Long.MIN_VALUE;
    private final int steps;
    private final double wallMs;

    private StepProfile(int steps, double wallMs) {
        this.steps = steps;
        this.wallMs = wallMs;
    }

    /** Reads the events file of {@code steps} steps that took {@code wallMs} in all. */
    public static StepProfile read(Path events, int steps, double wallMs) throws IOException {
        StepProfile p = new StepProfile(steps, wallMs);
        Map<String, List<String[]>> byThread = new LinkedHashMap<>();
        for (String line : Files.readAllLines(events)) {
            String[] f = line.split("\t", 8);                 // push|pop, thread, handle, cpu_ns, seq, flops, gpu_ns, name
            if (f.length == 8) byThread.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f);
        }
        Map<Long, String> componentOfSeq = new HashMap<>();
        for (List<String[]> thread : byThread.values()) p.walk(thread, componentOfSeq);
        return p;
    }

    private static final class Frame {
        final String name, handle, component, phase;
        final long start, gpuStart;                    // gpuStart −1: no GPU time
        long children, gpuChildren;

        Frame(String name, String handle, long start, long gpuStart, String component, String phase) {
            this.name = name;
            this.handle = handle;
            this.start = start;
            this.gpuStart = gpuStart;
            this.component = component;
            this.phase = phase;
        }
    }

    private void walk(List<String[]> events, Map<Long, String> componentOfSeq) {
        Deque<Frame> stack = new ArrayDeque<>();
        for (String[] e : events) {
            String kind = e[0], handle = e[2], name = e[7];
            long ns = Long.parseLong(e[3]), seq = Long.parseLong(e[4]), gpuNs = Long.parseLong(e[6]);
            if (gpuNs >= 0) {
                gpu = true;
                gpuFirst = Math.min(gpuFirst, gpuNs);
                gpuLast = Math.max(gpuLast, gpuNs);
            }
            if (kind.equals("push")) {
                Frame top = stack.peek();
                String component = top == null ? "other" : top.component, phase = top == null ? "forward" : top.phase;
                if (COMPONENTS.contains(name)) {
                    component = name;
                    if (OPTIMIZER.contains(name)) phase = "optimizer";
                } else if (name.equals(BACKWARD)) {
                    phase = "backward";
                } else if (name.startsWith(ENGINE)) {
                    phase = "backward";
                } else if (top != null && top.name.startsWith(ENGINE) && seq >= 0) {   // the node: XBackward0, numbered
                    component = componentOfSeq.getOrDefault(seq, "other");
                } else if (phase.equals("forward") && seq >= 0 && top != null && !componentOfSeq.containsKey(seq)) {
                    componentOfSeq.put(seq, component);   // the node this operator made belongs to its component
                }
                stack.push(new Frame(name, handle, ns, gpuNs, component, phase));
            } else {
                Frame f = stack.poll();
                while (f != null && !f.handle.equals(handle)) f = stack.poll();      // an unmatched push: drop it
                if (f == null) continue;
                long dur = ns - f.start, gpuDur = f.gpuStart >= 0 && gpuNs >= 0 ? Math.max(0, gpuNs - f.gpuStart) : 0;
                if (stack.peek() != null) {
                    stack.peek().children += dur;
                    stack.peek().gpuChildren += gpuDur;
                }
                boolean range = COMPONENTS.contains(f.name) || f.name.equals(BACKWARD);
                String op = f.name.startsWith(ENGINE) ? "(autograd engine)" : f.name;
                long[] c = cells.computeIfAbsent(new Cell(range ? "(" + f.name + " range)" : op, f.component, f.phase), k -> new long[3]);
                c[0] += dur - f.children;
                if (!range) c[1]++;
                c[2] += Math.max(0, gpuDur - f.gpuChildren);
            }
        }
    }

    /** Milliseconds per step. */
    private double perStep(long ns) {
        return ns / 1e6 / steps;
    }

    /** The two tables: by component and phase (and GPU time, when the events have it), then the top operators; with the step's wall time. */
    public String table(int topOps) {
        double step = wallMs / steps;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%d profiled steps, %.1f ms per step (wall)%n", steps, step));
        if (gpu) {
            s.append(String.format(Locale.ROOT, "GPU: %.1f ms per step on the stream, from the first event to the last (GPU ms below: the stream's"
                    + " time in each component, kernels and waits for the host)%n", perStep(gpuLast - gpuFirst)));
        }
        s.append('\n');
        Map<String, Map<String, Long>> byComponent = new LinkedHashMap<>();
        Map<String, Long> gpuByComponent = new HashMap<>();
        long attributed = 0;
        for (var e : cells.entrySet()) {
            byComponent.computeIfAbsent(e.getKey().component(), k -> new HashMap<>()).merge(e.getKey().phase(), e.getValue()[0], Long::sum);
            gpuByComponent.merge(e.getKey().component(), e.getValue()[2], Long::sum);
            attributed += e.getValue()[0];
        }
        s.append("| component | forward ms | backward ms | optimizer ms | total ms | % of step |").append(gpu ? " GPU ms |" : "")
                .append("\n|---|---|---|---|---|---|").append(gpu ? "---|" : "").append('\n');
        List<String> order = new ArrayList<>(byComponent.keySet());
        order.sort(Comparator.comparingLong(c -> -byComponent.get(c).values().stream().mapToLong(Long::longValue).sum()));
        for (String c : order) {
            Map<String, Long> ph = byComponent.get(c);
            long total = ph.values().stream().mapToLong(Long::longValue).sum();
            if (perStep(total) < 0.05) continue;                  // e.g. allreduce in one process
            s.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.1f%% |", c, perStep(ph.getOrDefault("forward", 0L)),
                    perStep(ph.getOrDefault("backward", 0L)), perStep(ph.getOrDefault("optimizer", 0L)), perStep(total), perStep(total) / step * 100));
            if (gpu) s.append(String.format(Locale.ROOT, " %.2f |", perStep(gpuByComponent.getOrDefault(c, 0L))));
            s.append('\n');
        }
        double outside = step - perStep(attributed);
        s.append(String.format(Locale.ROOT, "| (outside libtorch: Java, batch assembly) | | | | %.2f | %.1f%% |%s%n%n", outside, outside / step * 100,
                gpu ? " |" : ""));

        Map<String, long[]> byOp = new HashMap<>();
        for (var e : cells.entrySet()) {
            long[] v = byOp.computeIfAbsent(e.getKey().op(), k -> new long[2]);
            v[0] += e.getValue()[0];
            v[1] += e.getValue()[1];
        }
        s.append("| operator (self time) | calls per step | ms per step | % of step |\n|---|---|---|---|\n");
        byOp.entrySet().stream().sorted(Comparator.comparingLong(e -> -e.getValue()[0])).limit(topOps).forEach(e -> s.append(String.format(
                Locale.ROOT, "| %s | %.0f | %.2f | %.1f%% |%n", e.getKey(), e.getValue()[1] / (double) steps, perStep(e.getValue()[0]),
                perStep(e.getValue()[0]) / step * 100)));
        return s.toString();
    }
}
