package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.AttachRequest;
import io.jcontainerd.api.cri.v1.ExecRequest;
import io.jcontainerd.api.cri.v1.PortForwardRequest;
import io.jcontainerd.api.cri.v1.RuntimeServiceGrpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Just enough of an API server and kubelet on loopback for the real kubectl to exec, attach and port-forward:
 * discovery of v1 pods, one Running pod whose containers map to CRI container ids, and the
 * pod's exec/attach/portforward subresources answered as kubelet does: the CRI call, then the
 * client's upgrade request relayed byte for byte to the URL it returned (kubelet's proxy).
 */
final class FakeApiServer implements AutoCloseable {
    private final ServerSocket server;
    private final Supplier<RuntimeServiceGrpc.RuntimeServiceBlockingStub> runtime;
    private final String pod;
    private final String sandboxId;
    private final Map<String, String> containers;
    private final List<Socket> open = new ArrayList<>();

    FakeApiServer(Supplier<RuntimeServiceGrpc.RuntimeServiceBlockingStub> runtime, String pod, String sandboxId, Map<String, String> containers)
            throws IOException {
        this.sandboxId = sandboxId;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.runtime = runtime;
        this.pod = pod;
        this.containers = containers;
        Thread.ofPlatform().daemon().name("fake-apiserver").start(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** A kubeconfig naming this server. */
    String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fake
                  cluster:
                    server: %s
                users:
                - name: nobody
                  user: {}
                contexts:
                - name: fake
                  context:
                    cluster: fake
                    user: nobody
                    namespace: default
                current-context: fake
                """.formatted(url());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (open) {
                    open.add(s);
                }
                Thread.ofPlatform().daemon().name("fake-apiserver-conn").start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private record Request(String method, String target, List<String> headerLines, Map<String, String> headers) {
    }

    private static Request read(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] x = b.toByteArray();
            int n = x.length;
            if (n >= 4 && x[n - 4] == '\r' && x[n - 3] == '\n' && x[n - 2] == '\r' && x[n - 1] == '\n') {
                break;
            }
            if (n > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        if (b.size() == 0) {
            return null;
        }
        String[] lines = b.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] first = lines[0].split(" ");
        List<String> headerLines = new ArrayList<>();
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            headerLines.add(lines[i]);
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(), lines[i].substring(colon + 1).strip());
        }
        return new Request(first[0], first[1], headerLines, headers);
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                Request r = read(in);
                if (r == null) {
                    return;
                }
                int len = Integer.parseInt(r.headers().getOrDefault("content-length", "0"));
                in.readNBytes(len);
                URI uri = URI.create(r.target());
                String path = uri.getPath();
                String podPath = "/api/v1/namespaces/default/pods/" + pod;
                if (path.equals(podPath + "/exec") || path.equals(podPath + "/attach") || path.equals(podPath + "/portforward")) {
                    relay(r, path.substring(path.lastIndexOf('/') + 1), query(uri.getRawQuery()), s, in, out);
                    return;
                }
                String body = switch (path) {
                    case "/api" -> "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                            + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}";
                    case "/apis" -> "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}";
                    case "/api/v1" -> "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
                            + "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\",\"verbs\":[\"get\",\"list\"],\"shortNames\":[\"po\"]},"
                            + "{\"name\":\"pods/exec\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodExecOptions\",\"verbs\":[\"create\",\"get\"]},"
                            + "{\"name\":\"pods/attach\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodAttachOptions\",\"verbs\":[\"create\",\"get\"]},"
                            + "{\"name\":\"pods/portforward\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodPortForwardOptions\",\"verbs\":[\"create\",\"get\"]}]}";
                    default -> path.equals(podPath) ? podJson() : null;
                };
                byte[] b = (body == null ? "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}"
                        : body).getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + (body == null ? "404 Not Found" : "200 OK") + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + b.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(b);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the client went away
        }
    }

    private String podJson() {
        StringBuilder specs = new StringBuilder();
        StringBuilder statuses = new StringBuilder();
        for (String name : containers.keySet()) {
            specs.append(specs.isEmpty() ? "" : ",").append("{\"name\":\"").append(name).append("\",\"image\":\"busybox\",\"stdin\":true,\"tty\":true}");
            statuses.append(statuses.isEmpty() ? "" : ",").append("{\"name\":\"").append(name)
                    .append("\",\"ready\":true,\"restartCount\":0,\"image\":\"busybox\",\"imageID\":\"\",\"state\":{\"running\":{}}}");
        }
        return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + pod + "\",\"namespace\":\"default\",\"uid\":\"u1\"},"
                + "\"spec\":{\"containers\":[" + specs + "]},\"status\":{\"phase\":\"Running\",\"containerStatuses\":[" + statuses + "]}}";
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String kv : raw.split("&")) {
            String[] p = kv.split("=", 2);
            q.computeIfAbsent(URLDecoder.decode(p[0], StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
        }
        return q;
    }

    /** kubelet's part: the CRI call, then the upgrade request sent on to the streaming server and the bytes relayed both ways. */
    private void relay(Request r, String kind, Map<String, List<String>> q, Socket client, InputStream in, OutputStream out) throws IOException {
        String container = containers.get(q.getOrDefault("container", List.of(containers.keySet().iterator().next())).getFirst());
        boolean stdin = flag(q, "stdin");
        boolean stdout = flag(q, "stdout");
        boolean stderr = flag(q, "stderr");
        boolean tty = flag(q, "tty");
        String url = kind.equals("portforward")
                ? runtime.get().portForward(PortForwardRequest.newBuilder().setPodSandboxId(sandboxId).build()).getUrl()
                : kind.equals("exec") ? runtime.get().exec(ExecRequest.newBuilder().setContainerId(container).addAllCmd(q.getOrDefault("command", List.of()))
                .setStdin(stdin).setStdout(stdout).setStderr(stderr).setTty(tty).build()).getUrl()
                : runtime.get().attach(AttachRequest.newBuilder().setContainerId(container)
                .setStdin(stdin).setStdout(stdout).setStderr(stderr).setTty(tty).build()).getUrl();
        URI target = URI.create(url);
        try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
            synchronized (open) {
                open.add(upstream);
            }
            StringBuilder head = new StringBuilder(r.method() + " " + target.getRawPath() + " HTTP/1.1\r\n");
            for (String h : r.headerLines()) {
                if (!h.toLowerCase().startsWith("host:")) {
                    head.append(h).append("\r\n");
                }
            }
            head.append("Host: ").append(target.getHost()).append(':').append(target.getPort()).append("\r\n\r\n");
            upstream.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            upstream.getOutputStream().flush();
            Thread up = Thread.ofPlatform().daemon().start(() -> {
                try {
                    in.transferTo(upstream.getOutputStream());
                } catch (IOException e) {
                    // either side closed
                }
                try {
                    upstream.shutdownOutput();
                } catch (IOException e) {
                    // closed already
                }
            });
            try {
                upstream.getInputStream().transferTo(out);
            } catch (IOException e) {
                // either side closed
            }
            client.shutdownOutput();
            try {
                up.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean flag(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v != null && (v.getFirst().equals("true") || v.getFirst().equals("1"));
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
