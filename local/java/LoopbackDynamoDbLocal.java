import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local bound to 127.0.0.1 only. The official jar has no host option: its server creates
 * Jetty with a port alone, which listens on every interface, and DynamoDB Local accepts any
 * credentials, so anyone who can reach the port could read and write every tenant's items. This
 * builds the same server from the same command line (ServerRunner.createServerFromCommandLineArgs),
 * sets its connectors' host to loopback before starting it, and starts it.
 *
 * Run as a single source file (`java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java -port N ...`):
 * that needs the jdk.compiler module, which Debian's openjdk-17-jre-headless includes.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    int bound = 0;
    for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
      if (!Server.class.isAssignableFrom(field.getType())) continue;
      field.setAccessible(true);
      Server server = (Server) field.get(proxy);
      for (Connector connector : server.getConnectors()) {
        if (connector instanceof ServerConnector serverConnector) {
          serverConnector.setHost("127.0.0.1");
          bound++;
        }
      }
    }
    // Starting a server we could not bind to loopback would be the very exposure this class exists to prevent.
    if (bound == 0) throw new IllegalStateException("found no Jetty connector to bind to 127.0.0.1 in this DynamoDB Local version");
    exitWhenParentGoes();
    proxy.start();
    System.out.println("DynamoDB Local listening on 127.0.0.1");
  }

  /**
   * The stack that started us holds our stdin open; when it dies, even by SIGKILL, the pipe closes.
   * Exiting then keeps an orphan from holding the data dir's files while the next stack opens them.
   */
  private static void exitWhenParentGoes() {
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is sent on stdin; reading only waits for it to close.
        }
      } catch (java.io.IOException error) {
        // A broken pipe is the parent gone as well.
      }
      System.exit(0);
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}
