package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.network.Network;
import io.jcontainerd.network.NetworkMode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which networks a container is on: docker network connect and disconnect, the mode a run joins,
 * and the tear-down of a run's endpoints.
 */
final class ContainerNetworks {
    private static final Logger LOG = Logger.getLogger(ContainerNetworks.class.getName());

    private final String namespace;
    private final Networking networking;
    private final ContainerTable table;
    private final ContainerDocuments documents;

    ContainerNetworks(String namespace, Networking networking, ContainerTable table, ContainerDocuments documents) {
        this.namespace = namespace;
        this.networking = networking;
        this.table = table;
        this.documents = documents;
    }

    /**
     * docker network connect: the container is on {@code network} from now on; a running one gets
     * its endpoint at once, a created or stopped one at its next start (as dockerd).
     */
    Network connect(LiveContainer c, String network, List<String> aliases) {
        Network n = networking.manager().network(network);
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (!NetworkMode.parse(CreateRequest.networkMode(d.config(), d.hostConfig())).getClass().equals(NetworkMode.Network.class)) {
                throw DockerApiException.badRequest("container %s uses network mode %s: it cannot be connected to other networks",
                        c.id(), CreateRequest.networkMode(d.config(), d.hostConfig()));
            }
            if (d.attachedNetworks().stream().anyMatch(a -> a.name().equals(n.name()))) {
                throw DockerApiException.conflict("endpoint with name %s already exists in network %s", d.name(), n.name());
            }
            String networkId = "";
            if (networking.sandbox(c.id()).isPresent()) {
                networkId = networking.manager().connect(namespace, c.id(), n.name(), aliases).networkId();
            }
            List<NetworkAttachment> nets = new ArrayList<>(d.attachedNetworks());
            nets.add(new NetworkAttachment(n.name(), networkId, aliases));
            c.doc(d.withNetworks(nets));
            documents.persist(c);
        }
        return n;
    }

    /** docker network disconnect: off {@code network}, its endpoint removed if it runs. */
    Network disconnect(LiveContainer c, String network) {
        Network n = networking.manager().network(network);
        synchronized (c) {
            ContainerDocument d = c.doc();
            if (d.attachedNetworks().stream().noneMatch(a -> a.name().equals(n.name()))) {
                throw DockerApiException.notFound("container %s is not connected to network %s", c.id(), n.name());
            }
            if (networking.sandbox(c.id()).flatMap(s -> s.endpoint(n.name())).isPresent()) {
                networking.manager().disconnect(namespace, c.id(), n.name());
            }
            c.doc(d.withNetworks(d.attachedNetworks().stream().filter(a -> !a.name().equals(n.name())).toList()));
            documents.persist(c);
        }
        return n;
    }

    /** The mode a run joins: container:NAME as the ID of that container, which has to be running. */
    String runMode(ContainerDocument d) {
        String mode = CreateRequest.networkMode(d.config(), d.hostConfig());
        if (mode.startsWith("container:")) {
            String ref = mode.substring("container:".length());
            LiveContainer peer = table.find(ref).orElseThrow(() -> DockerApiException.notFound("No such container: %s", ref));
            if (!peer.running()) {
                throw DockerApiException.conflict("cannot join network of a non running container: %s", peer.id());
            }
            return "container:" + peer.id();
        }
        return mode;
    }

    /** The run's endpoints and addresses go; a failure is logged (the container is not held back by it). */
    void tearDown(String id) {
        try {
            networking.tearDown(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "tearing down the network of container " + id, e);
        }
    }
}
