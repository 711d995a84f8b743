package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.MetadataCommand;

import java.util.SplittableRandom;

/** Lets tests in other packages use the package-private generator. */
public final class CommandGenAccess {
    private CommandGenAccess() {
    }

    public static MetadataCommand<?> any(SplittableRandom random) {
        return new CommandGen(random).any();
    }
}
