package io.pgshuttle.cli;

import io.pgshuttle.messages.Names;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFileException;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.KeyId;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgshuttle keys}: makes the key pairs that sign commands, agree the keys of event MACs and
 * seal the target password. Writes files only; never overwrites one.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "Makes key pairs as PEM files: private key files (the key pair) with mode 0600, public key"
          + " files beside them, and prints each public key and its key id. Never overwrites a"
          + " file. See README, \"Keys and signing\", for where each file goes and how to rotate.",
    },
    subcommands = {KeysCommand.Coordinator.class, KeysCommand.Agent.class})
final class KeysCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("pgshuttle keys: name what to make keys for: coordinator or agent");
    spec.commandLine().usage(err);
    return ExitCodes.USAGE;
  }

  @Command(
      name = "coordinator",
      mixinStandardHelpOptions = true,
      description = {
        "Makes the coordinator's two key pairs: OUT/coordinator.ed25519.key"
            + " (coordinator.signingKey, signs every command) with OUT/coordinator.ed25519.pub"
            + " (each agent's agent.coordinatorKeys), and OUT/coordinator.x25519.key"
            + " (coordinator.eventKeys, agrees with each agent the key its events are MACed with)"
            + " with OUT/coordinator.x25519.pub (each agent's agent.coordinatorEventKey). Both"
            + " private key files are as sensitive as each other: keep them on the coordinator"
            + " only. A pair that exists is kept and named, so that an installation whose"
            + " coordinator has only its Ed25519 pair gets its X25519 pair by running this"
            + " again; when both exist, nothing is made (exit code 2).",
      })
  static final class Coordinator implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "the directory to write into")
    Path out;

    @Option(
        names = "--name",
        defaultValue = "coordinator",
        description = "the files' name, default coordinator (e.g. coordinator-2026 to rotate)")
    String name;

    @Override
    public Integer call() {
      PrintWriter printed = spec.commandLine().getOut();
      if (Files.exists(KeyFiles.publicFile(out, name, KeyAlgorithm.ED25519))
          && Files.exists(KeyFiles.publicFile(out, name, KeyAlgorithm.X25519))) {
        throw CliException.badInput(
            KeyFiles.publicFile(out, name, KeyAlgorithm.ED25519)
                + " and "
                + KeyFiles.publicFile(out, name, KeyAlgorithm.X25519)
                + " exist: move them away first, or give another --name; pgshuttle never"
                + " overwrites a key");
      }
      for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
        Path existing = KeyFiles.publicFile(out, name, algorithm);
        if (Files.exists(existing)) {
          printed.println(
              "kept the existing "
                  + algorithm.jcaName()
                  + " key "
                  + KeyId.of(readPublic(existing, algorithm))
                  + ": "
                  + existing);
        } else {
          generate(printed, out, name, algorithm);
        }
      }
      printed.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "agent",
      mixinStandardHelpOptions = true,
      description = {
        "Makes an agent's X25519 key pair: OUT/INSTANCE.x25519.key (agent.sealingKey: opens"
            + " the target password, and agrees with the coordinator the key its events are MACed"
            + " with) and OUT/INSTANCE.x25519.pub, which goes into the coordinator's"
            + " coordinator.agentKeys directory.",
      })
  static final class Agent implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--instance", required = true, description = "the agent's instance id")
    String instance;

    @Option(names = "--out", required = true, description = "the directory to write into")
    Path out;

    @Override
    public Integer call() {
      if (!Names.isValidInstanceId(instance)) {
        throw CliException.badInput(
            "--instance '" + instance + "' is invalid: use 1 to 63 letters, digits, '_' or '-'");
      }
      PrintWriter printed = spec.commandLine().getOut();
      generate(printed, out, instance, KeyAlgorithm.X25519);
      printed.flush();
      return ExitCodes.OK;
    }
  }

  private static PublicKey readPublic(Path file, KeyAlgorithm algorithm) {
    try {
      return KeyFiles.readPublic(file, algorithm);
    } catch (KeyFileException e) {
      throw CliException.badInput(e.getMessage());
    }
  }

  private static void generate(PrintWriter printed, Path out, String name, KeyAlgorithm algorithm) {
    KeyPair pair;
    try {
      pair = KeyFiles.generate(out, name, algorithm);
    } catch (KeyFileException e) {
      throw CliException.badInput(e.getMessage());
    }
    printed.println(
        algorithm.jcaName()
            + " key "
            + KeyId.of(pair.getPublic())
            + ": private "
            + KeyFiles.privateFile(out, name, algorithm)
            + ", public "
            + KeyFiles.publicFile(out, name, algorithm));
    printed.print(KeyFiles.toPem(pair.getPublic()));
  }
}
