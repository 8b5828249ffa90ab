package io.jcontainerd.supervisor.docker.http;

import io.grpc.StatusRuntimeException;
import io.jcontainerd.config.errdefs.JcdException;

import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the route of each request and turns every failure into Docker's error shape with the
 * status dockerd would use: our errdefs and the gRPC codes of the services behind us map to
 * 400/404/409/500 in this one place.
 */
public final class Dispatcher implements BiConsumer<Request, Exchange> {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    private final Router router;

    public Dispatcher(Router router) {
        this.router = router;
    }

    @Override
    public void accept(Request raw, Exchange exchange) {
        var match = router.match(raw.method(), raw.path());
        if (match.isEmpty()) {
            closeQuietly(raw);
            if (router.knowsPath(raw.path())) {
                exchange.error(405, "method " + raw.method() + " is not allowed on " + raw.path());
            } else {
                exchange.error(404, "page not found: " + raw.method() + " " + raw.path()
                        + " is not part of the Docker API served by jcontainerd");
            }
            return;
        }
        Request request = raw.withParams(match.get().params());
        // dockerd's "Calling POST /v1.47/containers/{id}/resize?h=30&w=100" at debug level
        LOG.fine(() -> "calling " + raw.method() + " " + raw.path() + (raw.query().isEmpty() ? "" : " " + raw.query()));
        try (var body = raw.stream()) {
            // closing a streamed body the handler left unread drops the rest as it arrives
            match.get().handler().handle(request, exchange);
        } catch (Exception e) {
            int status = status(e);
            if (status >= 500) {
                LOG.log(Level.WARNING, "docker API " + raw.method() + " " + raw.path() + ": " + e, e);
            }
            if (exchange.started()) {
                // the head is out: nothing but closing tells the client
                return;
            }
            if (status == 304) {
                exchange.status(304);
            } else {
                exchange.error(status, message(e));
            }
        }
    }

    private static void closeQuietly(Request r) {
        try {
            r.stream().close();
        } catch (java.io.IOException ignored) {
            // nothing to tell: the body is being dropped
        }
    }

    static int status(Throwable e) {
        return switch (e) {
            case DockerApiException d -> d.status();
            case JcdException j -> switch (j.kind()) {
                case NOT_FOUND -> 404;
                case ALREADY_EXISTS, FAILED_PRECONDITION -> 409;
                case INVALID_ARGUMENT -> 400;
                case NOT_IMPLEMENTED -> 501;
                default -> 500;
            };
            case StatusRuntimeException s -> switch (s.getStatus().getCode()) {
                case NOT_FOUND -> 404;
                case ALREADY_EXISTS, FAILED_PRECONDITION -> 409;
                case INVALID_ARGUMENT -> 400;
                case UNIMPLEMENTED -> 501;
                default -> 500;
            };
            default -> 500;
        };
    }

    static String message(Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            String d = s.getStatus().getDescription();
            return d == null ? s.getStatus().getCode().name() : d;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
