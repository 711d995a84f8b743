package io.sluice.chaos.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The run command's target list: several targets must all be clusters when --nodes says so. */
@Timeout(10)
class ChaosCommandTest {

    @Test
    void aOneNodeTargetBesideAClusterIsAUsageErrorNamingTheCause() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ChaosCommand());
        cl.setErr(new PrintWriter(err));

        int exit = cl.execute("--target", "sluice-cluster,kafka", "--nodes", "3", "--schedules", "1");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("--nodes 3 needs cluster targets"), err.toString());
    }
}
