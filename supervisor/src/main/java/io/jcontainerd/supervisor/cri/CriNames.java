package io.jcontainerd.supervisor.cri;

/** Names the CRI shares with containerd's cri plugin. */
public final class CriNames {
    /** The containerd namespace every CRI object lives in ({@code jctr -n k8s.io containers ls}). */
    public static final String NAMESPACE = "k8s.io";
    public static final String RUNTIME_NAME = "jcontainerd";
    public static final String RUNTIME_API_VERSION = "v1";
    /** Container label saying what a CRI container is: "sandbox" or "container" (containerd's io.cri-containerd.kind). */
    public static final String KIND_LABEL = "io.cri-containerd.kind";
    /** The containerd runtime name recorded on CRI containers. */
    public static final String TASK_RUNTIME = "io.containerd.runc.v2";
    /** The extension holding the CRI config a sandbox or container was made from (protobuf bytes). */
    static final String CONFIG_EXTENSION = "io.jcontainerd.cri/config";
    /** The extension holding what the CRI keeps about a sandbox or container beyond its config (JSON). */
    static final String STATE_EXTENSION = "io.jcontainerd.cri/state";

    private CriNames() {
    }
}
