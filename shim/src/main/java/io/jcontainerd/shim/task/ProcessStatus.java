package io.jcontainerd.shim.task;

/** Where a process is in its life: created → running ⇄ paused → stopped. */
public enum ProcessStatus {
    CREATED, RUNNING, PAUSED, STOPPED
}
