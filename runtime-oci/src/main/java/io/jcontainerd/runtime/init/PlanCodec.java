package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.spec.Hooks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small binary form of {@link InitPlan}, so the init stage needs no JSON library. */
public final class PlanCodec {
    private PlanCodec() {}

    public static byte[] encode(InitPlan p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeBoolean(p.exec());
            strings(o, p.cgroupJoin());
            o.writeBoolean(p.newCgroupNs());
            str(o, p.joinCgroupNs());
            str(o, p.joinMountNs());
            o.writeBoolean(p.rootfs() != null);
            if (p.rootfs() != null) rootfs(o, p.rootfs());
            str(o, p.hostname());
            str(o, p.domainname());
            o.writeInt(p.sysctl().size());
            for (var e : p.sysctl().entrySet()) { str(o, e.getKey()); str(o, e.getValue()); }
            o.writeInt(p.rlimits().size());
            for (var l : p.rlimits()) { o.writeInt(l.resource()); o.writeLong(l.soft()); o.writeLong(l.hard()); }
            integer(o, p.oomScoreAdj());
            o.writeLong(p.uid());
            o.writeLong(p.gid());
            o.writeInt(p.additionalGids().size());
            for (long g : p.additionalGids()) o.writeLong(g);
            integer(o, p.umask());
            o.writeBoolean(p.caps() != null);
            if (p.caps() != null) {
                var c = p.caps();
                o.writeLong(c.bounding()); o.writeLong(c.effective()); o.writeLong(c.inheritable());
                o.writeLong(c.permitted()); o.writeLong(c.ambient());
            }
            o.writeBoolean(p.noNewPrivileges());
            o.writeInt(p.seccomp().length);
            o.write(p.seccomp());
            strings(o, p.args());
            strings(o, p.env());
            str(o, p.cwd());
            str(o, p.execFifo());
            o.writeBoolean(p.terminal());
            str(o, p.consoleSocket());
            o.writeBoolean(p.syncHooks());
            o.writeInt(p.preserveFds());
            o.writeBoolean(p.hooks() != null);
            if (p.hooks() != null) hooks(o, p.hooks());
            o.writeBoolean(p.lsm() != null);
            if (p.lsm() != null) {
                str(o, p.lsm().appArmorProfile());
                str(o, p.lsm().selinuxLabel());
            }
            o.writeBoolean(p.consoleSize() != null);
            if (p.consoleSize() != null) {
                o.writeInt(p.consoleSize().height());
                o.writeInt(p.consoleSize().width());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static InitPlan decode(byte[] data) {
        try (DataInputStream i = new DataInputStream(new ByteArrayInputStream(data))) {
            boolean exec = i.readBoolean();
            List<String> procs = strings(i);
            boolean newCg = i.readBoolean();
            String joinCg = str(i);
            String joinMnt = str(i);
            InitPlan.Rootfs rootfs = i.readBoolean() ? rootfs(i) : null;
            String hostname = str(i), domainname = str(i);
            Map<String, String> sysctl = new LinkedHashMap<>();
            for (int n = i.readInt(); n > 0; n--) sysctl.put(str(i), str(i));
            List<InitPlan.Limit> limits = list(i, in -> new InitPlan.Limit(in.readInt(), in.readLong(), in.readLong()));
            Integer oom = integer(i);
            long uid = i.readLong(), gid = i.readLong();
            List<Long> gids = list(i, DataInputStream::readLong);
            Integer umask = integer(i);
            InitPlan.CapSets caps = i.readBoolean()
                    ? new InitPlan.CapSets(i.readLong(), i.readLong(), i.readLong(), i.readLong(), i.readLong()) : null;
            boolean nnp = i.readBoolean();
            byte[] seccomp = new byte[i.readInt()];
            i.readFully(seccomp);
            List<String> args = strings(i), env = strings(i);
            String cwd = str(i), fifo = str(i);
            boolean terminal = i.readBoolean();
            String console = str(i);
            boolean hooks = i.readBoolean();
            int preserve = i.readInt();
            InitPlan.ContainerHooks containerHooks = i.readBoolean() ? hooks(i) : null;
            InitPlan.Lsm lsm = i.readBoolean() ? new InitPlan.Lsm(str(i), str(i)) : null;
            InitPlan.ConsoleSize consoleSize = i.readBoolean() ? new InitPlan.ConsoleSize(i.readInt(), i.readInt()) : null;
            return new InitPlan(exec, procs, newCg, joinCg, joinMnt, rootfs, hostname, domainname, sysctl, limits, oom,
                    uid, gid, gids, umask, caps, nnp, seccomp, args, env, cwd, fifo, terminal, console, hooks, preserve,
                    containerHooks, lsm, consoleSize);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt init plan", e);
        }
    }

    private static void rootfs(DataOutputStream o, InitPlan.Rootfs r) throws IOException {
        str(o, r.path());
        o.writeLong(r.propagation());
        o.writeBoolean(r.readonly());
        o.writeBoolean(r.noPivot());
        o.writeInt(r.mounts().size());
        for (var m : r.mounts()) {
            o.writeInt(m.kind().ordinal());
            str(o, m.source()); str(o, m.destination()); str(o, m.type());
            o.writeLong(m.flags()); o.writeLong(m.remountFlags()); o.writeLong(m.propagation());
            str(o, m.data());
        }
        o.writeBoolean(r.defaultDevices());
        o.writeInt(r.devices().size());
        for (var d : r.devices()) {
            str(o, d.path()); o.writeInt(d.type()); o.writeLong(d.major()); o.writeLong(d.minor());
            o.writeInt(d.mode()); o.writeLong(d.uid()); o.writeLong(d.gid());
        }
        strings(o, r.maskedPaths());
        strings(o, r.readonlyPaths());
    }

    private static InitPlan.Rootfs rootfs(DataInputStream i) throws IOException {
        String path = str(i);
        long prop = i.readLong();
        boolean ro = i.readBoolean(), noPivot = i.readBoolean();
        List<InitPlan.MountStep> mounts = list(i, in -> new InitPlan.MountStep(
                InitPlan.MountStep.Kind.values()[in.readInt()], str(in), str(in), str(in),
                in.readLong(), in.readLong(), in.readLong(), str(in)));
        boolean defaults = i.readBoolean();
        List<InitPlan.DeviceNode> devices = list(i, in -> new InitPlan.DeviceNode(str(in), in.readInt(), in.readLong(),
                in.readLong(), in.readInt(), in.readLong(), in.readLong()));
        return new InitPlan.Rootfs(path, prop, ro, noPivot, mounts, defaults, devices, strings(i), strings(i));
    }

    private static void hooks(DataOutputStream o, InitPlan.ContainerHooks h) throws IOException {
        str(o, h.ociVersion()); str(o, h.id()); str(o, h.bundle());
        o.writeInt(h.annotations().size());
        for (var e : h.annotations().entrySet()) { str(o, e.getKey()); str(o, e.getValue()); }
        for (List<Hooks.Hook> list : List.of(h.createContainer(), h.startContainer())) {
            o.writeInt(list.size());
            for (Hooks.Hook k : list) {
                str(o, k.path()); strings(o, k.args()); strings(o, k.env());
                integer(o, k.timeout());
            }
        }
    }

    private static InitPlan.ContainerHooks hooks(DataInputStream i) throws IOException {
        String version = str(i), id = str(i), bundle = str(i);
        Map<String, String> annotations = new LinkedHashMap<>();
        for (int n = i.readInt(); n > 0; n--) annotations.put(str(i), str(i));
        Reader<Hooks.Hook> hook = in -> new Hooks.Hook(str(in), strings(in), strings(in), integer(in));
        return new InitPlan.ContainerHooks(version, id, bundle, annotations, list(i, hook), list(i, hook));
    }

    private interface Reader<T> { T read(DataInputStream in) throws IOException; }

    private static <T> List<T> list(DataInputStream i, Reader<T> r) throws IOException {
        int n = i.readInt();
        List<T> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) out.add(r.read(i));
        return out;
    }

    private static void str(DataOutputStream o, String s) throws IOException {
        o.writeBoolean(s != null);
        if (s != null) {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            o.writeInt(b.length);
            o.write(b);
        }
    }

    private static String str(DataInputStream i) throws IOException {
        if (!i.readBoolean()) return null;
        byte[] b = new byte[i.readInt()];
        i.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void strings(DataOutputStream o, List<String> l) throws IOException {
        o.writeInt(l.size());
        for (String s : l) str(o, s);
    }

    private static List<String> strings(DataInputStream i) throws IOException { return list(i, PlanCodec::str); }

    private static void integer(DataOutputStream o, Integer v) throws IOException {
        o.writeBoolean(v != null);
        if (v != null) o.writeInt(v);
    }

    private static Integer integer(DataInputStream i) throws IOException { return i.readBoolean() ? i.readInt() : null; }

}
