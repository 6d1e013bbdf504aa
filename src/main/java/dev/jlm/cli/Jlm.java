package dev.jlm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jlm command line: one subcommand per stage of text → tokens → model → text. */
@Command(name = "jlm", mixinStandardHelpOptions = true, version = "jlm 0.1.0",
        header = "Language modeling from scratch in Java (CS336 Assignment 1 on libtorch via FFM).",
        subcommands = {InfoCommand.class, BpeCommand.class, TokenizeCommand.class, TrainCommand.class, EvalCommand.class,
                GenerateCommand.class, ServeCommand.class, ExportCommand.class, CheckTokensCommand.class, AccountCommand.class, SweepCommand.class, PlotCommand.class,
                TensorDemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Jlm implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "on an internal error, print the stack trace here instead of into a file")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Jlm());
        addHelp(cl);
        addSettingFlags(cl);
        OptionDomains.describe(cl);
        cl.setExecutionStrategy(parsed -> {                  // every option inside its domain before any work
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) return help;
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) OptionDomains.check(p.commandSpec());
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler(Errors::handle);
        cl.setParameterExceptionHandler(Errors::handleUsage);
        return cl;
    }

    /** Every verb answers -h/--help (and -V/--version), whatever its required options: added here, so no verb can miss it. */
    private static void addHelp(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().findOption("--help") == null) sub.getCommandSpec().mixinStandardHelpOptions(true);
            addHelp(sub);
        }
    }

    /** The flags of every command's settings (SettingFlags.Host), made from the config records before anything parses. */
    private static void addSettingFlags(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommand() instanceof SettingFlags.Host h) for (SettingFlags f : h.settingFlags()) f.addTo(sub.getCommandSpec());
            addSettingFlags(sub);
        }
    }

    /**
     * The command runs on a thread with a 64 MB stack, not the JVM's 1 MB main thread: libtorch's parallel kernels keep
     * per-thread scratch on the calling thread's stack, and with a few hundred intra-op threads (--threads, or the cores
     * of a large machine) 1 MB overflows — a SIGSEGV without a word. (A C program, python among them, gets 8 MB.)
     */
    public static void main(String[] args) throws InterruptedException {
        StandardOutput.install();                           // before the CommandLine: picocli takes System.out then
        int[] code = {Errors.BUG};
        Thread command = new Thread(null, () -> {
            try {
                code[0] = commandLine().execute(args);
            } catch (Throwable t) {                          // an Error past picocli (out of memory …): still one line
                code[0] = Errors.fatal(t, args);
            }
        }, "jlm-main", 64L << 20);
        command.start();
        command.join();
        System.exit(StandardOutput.finish(code[0]));
    }
}
