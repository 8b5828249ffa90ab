package io.jcontainerd.runtime.container;

import java.util.Locale;

/** runc's lifecycle: creating → created → running ⇄ paused → stopped. */
public enum Status {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    public String json() { return name().toLowerCase(Locale.ROOT); }
}
