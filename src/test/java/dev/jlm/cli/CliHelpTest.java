package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every verb of the Picocli tree (walked, so a new verb is covered) answers --help and -h, and describes every option. */
class CliHelpTest {
    /** Paths of every command: "train", "bpe train", ... */
    static Stream<String> verbs() {
        List<String> out = new ArrayList<>();
        walk(Jlm.commandLine(), "", out);
        return out.stream();
    }

    private static void walk(CommandLine cl, String prefix, List<String> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            String path = (prefix + " " + e.getKey()).strip();
            out.add(path);
            walk(e.getValue(), path, out);
        }
    }

    /** The command of a verb path ("bpe train"). */
    static CommandLine command(String verb) {
        CommandLine cl = Jlm.commandLine();
        for (String word : verb.split(" ")) cl = cl.getSubcommands().get(word);
        return cl;
    }

    @ParameterizedTest
    @MethodSource("verbs")
    void helpExitsZeroWithUsage(String verb) {
        for (String flag : new String[] {"--help", "-h"}) {
            List<String> args = new ArrayList<>(List.of(verb.split(" ")));
            args.add(flag);
            var r = CliTrainTest.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), verb + " " + flag + ": " + r.err());
            assertTrue(r.out().contains("Usage: jlm " + verb + " ["), verb + " " + flag + " printed: " + r.out() + r.err());
        }
    }

    @ParameterizedTest
    @MethodSource("verbs")
    /** Every option is described, says its domain once, and a required one shows no "Default:". */
    void everyOptionIsDescribedOnceAndTruly(String verb) {
        CommandLine cl = command(verb);
        for (var opt : cl.getCommandSpec().options()) {
            String text = String.join(" ", opt.description()).strip(), domain = OptionDomains.of(opt);
            assertTrue(!text.isEmpty(), "jlm " + verb + " " + opt.longestName() + " has no description");
            if (domain != null) {
                int first = text.indexOf(domain);
                assertTrue(first < 0 || text.indexOf(domain, first + 1) < 0, "jlm " + verb + " " + opt.longestName() + " says its domain twice: " + text);
            }
            String block = cl.getHelp().optionListExcludingGroups(java.util.List.of(opt));
            assertTrue(!opt.required() || !block.contains("Default:"), "jlm " + verb + " " + opt.longestName() + " is required but shows a default: " + block);
        }
        for (var p : cl.getCommandSpec().positionalParameters()) {
            assertTrue(!String.join(" ", p.description()).isBlank(), "jlm " + verb + " " + p.paramLabel() + " has no description");
        }
    }
}
