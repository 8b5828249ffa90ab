package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.introspection.v1.IntrospectionGrpc;
import io.jcontainerd.api.services.introspection.v1.Plugin;
import io.jcontainerd.api.services.introspection.v1.PluginsRequest;
import io.jcontainerd.api.services.introspection.v1.PluginsResponse;
import io.jcontainerd.api.services.introspection.v1.ServerResponse;
import io.jcontainerd.api.types.Platform;
import io.jcontainerd.supervisor.daemon.ServerIdentity;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.grpc.Rpc;
import io.jcontainerd.supervisor.plugins.PluginInfo;
import io.jcontainerd.supervisor.plugins.PluginRegistry;

/** containerd.services.introspection.v1.Introspection: the plugins we serve and who we are. */
public final class IntrospectionService extends IntrospectionGrpc.IntrospectionImplBase {
    private final PluginRegistry plugins;
    private final ServerIdentity identity;

    public IntrospectionService(PluginRegistry plugins, ServerIdentity identity) {
        this.plugins = plugins;
        this.identity = identity;
    }

    @Override
    public void plugins(PluginsRequest req, StreamObserver<PluginsResponse> observer) {
        Rpc.unary(observer, () -> {
            var b = PluginsResponse.newBuilder();
            plugins.list(FilterParser.parseAll(req.getFiltersList())).forEach(p -> b.addPlugins(toProto(p)));
            return b.build();
        });
    }

    @Override
    public void server(Empty req, StreamObserver<ServerResponse> observer) {
        Rpc.unary(observer, () -> ServerResponse.newBuilder()
                .setUuid(identity.uuid()).setPid(identity.pid()).setPidns(identity.pidNamespace()).build());
    }

    private static Plugin toProto(PluginInfo p) {
        var b = Plugin.newBuilder().setType(p.type()).setId(p.id())
                .addAllRequires(p.requires()).putAllExports(p.exports()).addAllCapabilities(p.capabilities());
        for (String platform : p.platforms()) {
            String[] parts = platform.split("/");
            b.addPlatforms(Platform.newBuilder().setOs(parts[0]).setArchitecture(parts[1]));
        }
        p.initError().ifPresent(why -> b.setInitErr(Status.newBuilder().setCode(Code.UNIMPLEMENTED_VALUE).setMessage(why)));
        return b.build();
    }
}
