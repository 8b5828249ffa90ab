package io.jcontainerd.network.cni;

/** CNI_COMMAND values of the CNI 1.0 spec. */
public enum CniCommand {
    ADD, DEL, CHECK, VERSION
}
