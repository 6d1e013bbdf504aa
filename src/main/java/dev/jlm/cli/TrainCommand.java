package dev.jlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlm.JlmException;
import dev.jlm.config.ConfigException;
import dev.jlm.config.Domain;
import dev.jlm.config.Domains;
import dev.jlm.io.JsonFiles;
import dev.jlm.io.Outputs;
import dev.jlm.dist.LauncherWatch;
import dev.jlm.nn.MemoryBudget;
import dev.jlm.config.Settings;
import dev.jlm.dist.DistEnv;
import dev.jlm.dist.LocalLauncher;
import dev.jlm.dist.World;
import dev.jlm.tensor.Device;
import dev.jlm.train.TrainConfig;
import dev.jlm.train.TrainSettings;
import dev.jlm.train.StepProfile;
import dev.jlm.train.Trainer;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", header = "Train a Transformer LM on uint16 token files.", showDefaultValues = true,
        description = {"Writes RUN_DIR/step-NNNNNN.safetensors (+ .optim.safetensors), last.safetensors and metrics.jsonl.",
                "Every option can also come from --config run.json (keys as the flags, without dashes, - or _; values as JSON"
                        + " true/false, numbers and strings, read as a sweep reads them; each key once); flags given on the command line win."})
final class TrainCommand implements Callable<Integer>, SettingFlags.Host {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Every setting of a run (model, data, schedule, optimizer, machine): --d-model, --lr-max, --kernels … */
    final SettingFlags settings = new SettingFlags(TrainConfig.class, true, "", k -> true);

    @Option(names = "--config", paramLabel = "FILE", description = "JSON object of option values, e.g. {\"d_model\": 512, \"steps\": 5000}")
    Path config;
    @Domain("> 0") @Option(names = "--nproc", description = "data-parallel worker processes on this machine (as torchrun --standalone"
            + " --nproc-per-node N); the cores are split between them and --batch-size stays the global batch. Their rendezvous"
            + " store (libtorch's TCPStore, as torchrun's) listens on a random port, on every interface and without authentication,"
            + " for the run's duration: libtorch 1.13 cannot bind it to loopback. Workers stop when this launcher is gone") int nproc = 1;
    @Domain("> 0") @Option(names = "--dist-timeout", description = "seconds a rank waits for the others (rendezvous, each collective)"
            + " before it stops with an error naming the missing rank") double distTimeout = 300;
    @Domain("> 0") @Option(names = "--profile", paramLabel = "N", description = "instead of training: N steps (after 2 warm-up steps) under"
            + " libtorch's profiler, then a table of where the time goes, by component (forward, backward, optimizer) and by operator;"
            + " on a GPU also the stream's time by component (eager steps, no CUDA graph); writes nothing, --out is not needed") Integer profile;
    @Option(names = "--force", description = "with --nproc: start the workers even when there are more of them than cores, or their"
            + " estimated memory exceeds what the machine has available") boolean force;
    @Option(names = "--profile-events", paramLabel = "FILE", description = "with --profile: also keep libtorch's raw events here (TSV: push|pop,"
            + " thread, handle, cpu_ns, sequence_nr, flops, gpu_ns, name)") Path profileEvents;

    /** Options set by --config, as their flags (so that one there counts as given, like a flag). */
    private final Set<String> fromConfig = new HashSet<>();

    @Override
    public List<SettingFlags> settingFlags() {
        return List.of(settings);
    }

    /** The run these flags and --config describe, every value checked against its domain. */
    TrainConfig config() throws Exception {
        Map<String, Object> given = new LinkedHashMap<>();
        if (config != null) given.putAll(readConfig(config));       // each value read as a sweep reads it, and checked
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        given.putAll(settings.values(parsed::hasMatchedOption));     // flags given on the command line win
        if (profile != null) given.putIfAbsent("out", Path.of("profile-run-not-written"));
        TrainConfig cfg = TrainSettings.build(given, SettingFlags::flag);
        DistEnv env = DistEnv.from(System.getenv());
        if (env.distributed()) {
            TrainConfig.Builder b = cfg.toBuilder();
            if (cfg.device().isCuda()) b.device(Device.cuda(env.localRank()));                       // one GPU per local rank
            if (!given("--threads")) b.threads(Math.max(1, cfg.threads() / env.localWorldSize()));  // the cores, split
            cfg = b.build();
        }
        return cfg;
    }

    /** Parses {@code args} as `jlm train` would and returns the run they describe (no process, no stderr to read). */
    static TrainConfig parse(String... args) throws Exception {
        CommandLine root = Jlm.commandLine();
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        root.parseArgs(all);
        CommandLine cl = root.getSubcommands().get("train");
        OptionDomains.check(cl.getCommandSpec());
        return ((TrainCommand) cl.getCommand()).config();
    }

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = config();                               // every flag and --config value checked before any work
        if (profileEvents != null && profile == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--profile-events keeps the events of --profile N: give --profile too");
        }
        if (force && nproc == 1) {                                // it lifts --nproc's checks only: alone it would do nothing
            throw new CommandLine.ParameterException(spec.commandLine(), "--force starts --nproc's workers past its checks of cores and memory;"
                    + " without --nproc N (N > 1) it does nothing");
        }
        if (profile != null) return profile(cfg);
        if (nproc > 1) return launch(cfg);
        DistEnv env = DistEnv.from(System.getenv());
        LauncherWatch.start(System.getenv(), pid -> {             // a worker of --nproc whose launcher died: stop here too
            System.err.println("jlm: rank " + env.rank() + ": the launcher (pid " + pid + ") is gone; stopping");
            System.err.flush();
            Runtime.getRuntime().halt(Errors.FAILED);
        });
        Path out = cfg.out();
        ComputeOptions.requireDevice(cfg.device());               // a missing GPU is said before a banner names it
        Memory.watch();
        Progress bar = new Progress("", 1).also("tok", (double) cfg.batchSize() * cfg.model().contextLength());
        Trainer.Summary s;
        try (World world = World.join(env, cfg.device(), Duration.ofMillis((long) (distTimeout * 1000)),
                note -> spec.commandLine().getErr().println("jlm: " + note))) {
            s = new Trainer(cfg).run(new Trainer.Listener() {
                @Override
                public void step(long step, long total, double loss, double lr, double tps, Double val) {
                    bar.update("train", step, total, String.format(Locale.ROOT, "loss %.4f%s  lr %.3g", loss,
                            val == null ? "" : String.format(Locale.ROOT, " val %.4f", val), lr), cfg.logEvery() > 0 && step % cfg.logEvery() == 0);
                }

                @Override
                public void started(long first, long last) {             // every check passed (the device, the folder, the inputs)
                    System.out.println("train on " + cfg.device() + (env.distributed() ? " (and " + (env.worldSize() - 1) + " more rank(s))" : "") + ", "
                            + cfg.dtype() + ", " + InfoCommand.kernels(cfg.kernels()) + (!cfg.device().isCuda() ? ""
                            : Trainer.capturesSteps(cfg, env.worldSize()) ? "; the step a CUDA graph after " + Trainer.GRAPH_WARMUP_STEPS + " warm-up steps" : "; no CUDA graph"));
                    bar.baseline(first - 1);
                }

                @Override
                public void note(String message) {
                    spec.commandLine().getErr().println("jlm: note: " + SettingFlags.inFlagWords(message, settings.keys()));
                }
            }, world);
            world.barrier();                                      // nobody tears down the store under a peer still in a collective
            if (!world.isMain()) return 0;                        // rank 0 reports for the job
        }
        bar.finishLine();
        if (s.replaced() != null) System.out.println("the previous run in " + out + " was moved to " + s.replaced());
        if (s.steps() == 0) {
            System.out.printf(Locale.ROOT, "%s is already complete at step %d of --steps %d; nothing to do (raise --steps to train further)%n",
                    out, s.lastStep(), cfg.steps());
            return 0;
        }
        System.out.printf(Locale.ROOT, "trained steps %d-%d (%d steps) in %.1f s (%,d tokens, %.0f tokens/s): train loss %.4f%s%n",
                s.firstStep(), s.lastStep(), s.steps(), s.seconds(), s.tokens(), s.tokens() / s.seconds(), s.finalTrainLoss(),
                s.finalValLoss() == null ? "" : String.format(Locale.ROOT, ", val loss %.4f", s.finalValLoss()));
        System.out.println("checkpoint: " + s.lastCheckpoint() + "   metrics: " + out.resolve("metrics.jsonl"));
        System.out.println("memory: " + Memory.peakRss());
        return 0;
    }

    /** --profile N: one process, N profiled steps, the tables on stdout. */
    private int profile(TrainConfig cfg) throws Exception {
        if (nproc > 1 || DistEnv.from(System.getenv()).distributed()) throw new IllegalArgumentException("--profile runs in one process: drop --nproc");
        if (profileEvents != null) {                              // written by libtorch's profiler in place: checked before any step
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("--train", cfg.train());
            inputs.put("--valid", cfg.valid());
            inputs.put("--init-from", cfg.initFrom());
            inputs.put("--config", config);
            Outputs.requireFile(profileEvents, "--profile-events", inputs);
        }
        Path events = profileEvents != null ? profileEvents : Files.createTempFile("jlm-profile-", ".tsv");
        try {
            StepProfile p = new Trainer(cfg).profile(profile, events);
            System.out.printf(Locale.ROOT, "profile: batch %d x %d tokens, %s, %s, %d thread(s), %s kernels%n", cfg.batchSize(),
                    cfg.model().contextLength(), cfg.device(), cfg.dtype(), cfg.threads(), Settings.spell(cfg.kernels()));
            System.out.print(p.table(15));
        } finally {
            if (profileEvents == null) Files.deleteIfExists(events);
        }
        return 0;
    }

    /**
     * --nproc N: this same command line, minus --nproc, run as N workers with torchrun's variables (see
     * {@link LocalLauncher}); each gets cores / N intra-op threads unless --threads was given.
     */
    private int launch(TrainConfig cfg) throws Exception {
        if (DistEnv.from(System.getenv()).distributed()) {
            throw new IllegalArgumentException("--nproc " + nproc + " inside a job that already has WORLD_SIZE set (torchrun starts the workers: drop --nproc)");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (nproc > cores && !force) {
            throw new ConfigException("--nproc " + nproc + " would start " + nproc + " worker processes on " + cores + " cores: fewer workers train"
                    + " faster here; add --force to start them anyway");
        }
        if (cfg.batchSize() % (nproc * cfg.gradAccum()) != 0) {
            throw new ConfigException("batch_size " + cfg.batchSize() + " is not divisible by nproc " + nproc + " × grad_accum " + cfg.gradAccum()
                    + ": every worker and micro-batch takes an equal share of the global batch").naming("batch_size", "nproc", "grad_accum");
        }
        long available = MemoryBudget.available();
        double each = MemoryBudget.needBytes(cfg.model(), cfg.batchSize() / nproc / cfg.gradAccum(), true) + MemoryBudget.PROCESS_BYTES;
        if (!cfg.device().isCuda() && available > 0 && nproc * each > available && !force) {
            throw new ConfigException(String.format(Locale.ROOT, "--nproc %d workers need about %.1f GB (%.2f GB each) but this machine has %.1f GB"
                    + " available: use fewer workers or a smaller --batch-size, or add --force", nproc, nproc * each / 1e9, each / 1e9, available / 1e9));
        }
        List<String> args = new ArrayList<>(spec.root().commandLine().getParseResult().originalArgs());
        List<String> jvm = ProcessHandle.current().info().arguments().map(List::of).orElse(List.of());
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (jvm.size() < args.size() || !jvm.subList(jvm.size() - args.size(), jvm.size()).equals(args)) {
            throw new IllegalStateException("--nproc: this JVM's command line does not end with jlm's arguments, so the workers cannot be"
                    + " started like it (run jlm from scripts/jlm, or launch the workers with torchrun)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvm.subList(0, jvm.size() - args.size()));   // JVM options, class path and main class
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--nproc")) i++;
            else if (!a.startsWith("--nproc=")) cmd.add(a);
        }
        if (!given("--threads")) cmd.addAll(List.of("--threads", String.valueOf(Math.max(1, cfg.threads() / nproc))));
        return LocalLauncher.run(cmd, nproc, Duration.ofMillis((long) (distTimeout * 1000) + 10_000), System.out, System.err);
    }

    /** Whether an option was given on the command line or in --config. */
    private boolean given(String name) {
        return spec.commandLine().getParseResult().hasMatchedOption(name) || fromConfig.contains(name);
    }

    /**
     * Reads the --config file whole, each value by the settings' own parser ({@link Settings#fromJson}, as a sweep reads its
     * grid) and checked against its domain, before anything is applied: a wrong type, a value outside its domain (exit 2),
     * an unknown key (with the nearest known one) or a key given twice (1) is refused naming the file, even where a flag
     * overrides it. Returns the settings it gives, by key, for those not given as flags; sets this command's own options
     * (--nproc …) the same way.
     */
    private Map<String, Object> readConfig(Path file) throws Exception {
        String source = "--config " + file;
        JsonNode root = JsonFiles.read(file, "--config");
        if (!root.isObject()) throw new JlmException(source + ": expected a JSON object");
                                                                   // a key given twice: refused by JsonFiles, as everywhere
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        Map<String, String> seen = new HashMap<>();                 // key → as the file spells it (lr_max and lr-max are one key)
        Map<String, Object> settingValues = new LinkedHashMap<>();
        Map<CommandLine.Model.OptionSpec, Object> own = new LinkedHashMap<>();
        for (var e : root.properties()) {
            String key = e.getKey().replace('-', '_'), flag = SettingFlags.flag(key);
            String before = seen.put(key, e.getKey());
            if (before != null) throw new JlmException(source + ": " + key + " is given twice ('" + before + "' and '" + e.getKey() + "')");
            Settings.Setting s = Settings.find(TrainConfig.class, key);
            CommandLine.Model.OptionSpec opt = spec.findOption(flag);
            Object v;
            String domain;
            if (s != null) {
                v = Settings.fromJson(s, e.getValue(), source);
                domain = Settings.violation(s, v);
            } else if (opt != null && opt.userObject() instanceof Field f && f.getDeclaringClass() == TrainCommand.class && !flag.equals("--config")) {
                v = Settings.fromJson(key, opt.type(), e.getValue(), source);
                domain = OptionDomains.of(opt) == null ? null : Domains.violation(OptionDomains.of(opt), v);
            } else {
                List<String> known = new ArrayList<>(Settings.of(TrainConfig.class).stream().map(Settings.Setting::key).toList());
                for (Field f : TrainCommand.class.getDeclaredFields()) {
                    Option o = f.getAnnotation(Option.class);
                    if (o != null && !f.getName().equals("config")) known.add(SettingFlags.key(o.names()[0]));
                }
                String near = Settings.nearest(key, known);
                throw new JlmException(source + ": unknown option '" + e.getKey() + "'" + (near == null ? "" : "; did you mean " + near + "?"));
            }
            if (domain != null) {
                throw new ConfigException(flag + " must be " + domain + ", got " + Domains.shown(v) + " in " + source);
            }
            fromConfig.add(flag);
            if (parsed.hasMatchedOption(flag)) continue;                // the flag wins
            if (s != null) settingValues.put(key, v);
            else own.put(opt, v);
        }
        own.forEach(CommandLine.Model.OptionSpec::setValue);
        return settingValues;
    }
}
