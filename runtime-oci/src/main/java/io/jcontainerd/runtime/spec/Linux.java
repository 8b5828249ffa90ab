package io.jcontainerd.runtime.spec;


import java.util.List;
import java.util.Map;

public record Linux(List<Namespace> namespaces, List<Object> uidMappings, List<Object> gidMappings,
                    Map<String, String> sysctl, Resources resources, String cgroupsPath, String rootfsPropagation,
                    Seccomp seccomp, List<String> maskedPaths, List<String> readonlyPaths, List<Device> devices,
                    String mountLabel) {
    public static final Linux EMPTY = new Linux(null, null, null, null, null, null, null, null, null, null, null, null);

    public Linux {
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        uidMappings = uidMappings == null ? List.of() : List.copyOf(uidMappings);
        gidMappings = gidMappings == null ? List.of() : List.copyOf(gidMappings);
        sysctl = sysctl == null ? Map.of() : Map.copyOf(sysctl);
        resources = resources == null ? Resources.NONE : resources;
        maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
        readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    public record Namespace(String type, String path) {}

    public record Device(String path, String type, long major, long minor, Integer fileMode, Long uid, Long gid) {}
}
