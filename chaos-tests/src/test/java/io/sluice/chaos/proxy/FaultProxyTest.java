package io.sluice.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real sockets through the proxy to an echo server. */
@Timeout(30)
class FaultProxyTest {
    private ServerSocket echo;
    private Thread echoThread;
    private FaultProxy proxy;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0);
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // peer went away
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        echoThread.setDaemon(true);
        echoThread.start();
        proxy = new FaultProxy("test", new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        proxy.close();
        echo.close();
        echoThread.join(5_000);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(5_000);
        sockets.add(s);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes());
        out.flush();
        byte[] buf = s.getInputStream().readNBytes(text.length());
        return new String(buf);
    }

    @Test
    void forwardsBytesBothWays() throws IOException {
        Socket s = connect();
        assertThat(roundTrip(s, "hello")).isEqualTo("hello");
        assertThat(roundTrip(s, "x".repeat(300_000))).hasSize(300_000);
    }

    @Test
    void upstreamClosingReachesTheClient() throws Exception {
        try (ServerSocket closer = new ServerSocket(0);
             FaultProxy p = new FaultProxy("closer", new InetSocketAddress("127.0.0.1", closer.getLocalPort()))) {
            Socket client = new Socket("127.0.0.1", p.port());
            sockets.add(client);
            client.setSoTimeout(5_000);
            client.getOutputStream().write(1);
            try (Socket accepted = closer.accept()) {
                assertThat(accepted.getInputStream().read()).isEqualTo(1);
                accepted.getOutputStream().write("bye".getBytes());
            }
            InputStream in = client.getInputStream();
            assertThat(new String(in.readNBytes(3))).isEqualTo("bye");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void delayHoldsEachDirectionBack() throws IOException {
        Socket s = connect();
        roundTrip(s, "warm");
        proxy.delay(150);
        long start = System.nanoTime();
        assertThat(roundTrip(s, "slow")).isEqualTo("slow");
        assertThat((System.nanoTime() - start) / 1_000_000).as("two delayed hops").isGreaterThanOrEqualTo(300);
    }

    @Test
    void stallKeepsTheConnectionButMovesNothingUntilHealed() throws IOException {
        Socket s = connect();
        roundTrip(s, "warm");
        proxy.stall();
        s.getOutputStream().write("held".getBytes());
        s.setSoTimeout(400);
        InputStream in = s.getInputStream();
        assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        proxy.heal();
        s.setSoTimeout(5_000);
        assertThat(new String(in.readNBytes(4))).isEqualTo("held");
    }

    @Test
    void cutResetsOpenConnectionsAndRefuseClosesNewOnes() throws IOException {
        Socket s = connect();
        roundTrip(s, "warm");
        proxy.refuse();
        proxy.cutAll();
        InputStream in = s.getInputStream();
        assertThatThrownBy(() -> {
            // A reset shows as an exception, or as end of stream if the FIN won the race.
            if (in.read() < 0) {
                throw new IOException("closed");
            }
        }).isInstanceOf(IOException.class);
        Socket refused = connect();
        assertThatThrownBy(() -> {
            if (refused.getInputStream().read() < 0) {
                throw new IOException("closed");
            }
        }).isInstanceOf(IOException.class);
        proxy.heal();
        assertThat(roundTrip(connect(), "again")).isEqualTo("again");
        assertThat(proxy.cutConnections()).isEqualTo(1);
    }
}
