package dev.jlm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jlm command line: one subcommand per stage of text → tokens → model → text. */
@Command(name = "jlm", mixinStandardHelpOptions = true, version = "jlm 0.1.0",
        header = "Language modeling from scratch in Java (CS336 Assignment 1 on libtorch via FFM).",
        subcommands = {InfoCommand.class, BpeCommand.class, TokenizeCommand.class, TrainCommand.class, EvalCommand.class,
                GenerateCommand.class, ExportCommand.class, CheckTokensCommand.class, AccountCommand.class, SweepCommand.class, PlotCommand.class,
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

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
