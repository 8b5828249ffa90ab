import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the pre-Java-6 class files of a jar (picocli still targets Java 5) as Java 8 class
 * files with stack maps, in place, so that the JDK's AOT cache (JEP 483) can hold them: it skips
 * classes older than version 50 and classes that need the old verifier. Same bytecode otherwise.
 * Usage: java scripts/ClassFileUpgrade.java JAR...
 */
public final class ClassFileUpgrade {
    private static final int JAVA_6 = 50;
    private static final int JAVA_8 = 52;

    public static void main(String[] jars) throws IOException {
        for (String jar : jars) {
            System.out.println(jar + ": " + upgrade(Path.of(jar)) + " class files upgraded to Java 8");
        }
    }

    static int upgrade(Path jar) throws IOException {
        Path tmp = Files.createTempFile(jar.getParent(), ".upgrade-", ".jar");
        int upgraded = 0;
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(classes))));
            ClassTransform toJava8 = ((ClassTransform) (builder, element) -> {
                if (element instanceof ClassFileVersion) {
                    builder.withVersion(JAVA_8, 0);
                } else {
                    builder.with(element);
                }
            }).andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)); // rebuilt code gets stack maps
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().endsWith(".class") && majorVersion(bytes) < JAVA_6) {
                    bytes = classFile.transformClass(classFile.parse(bytes), toJava8);
                    upgraded++;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (upgraded == 0) {
            Files.delete(tmp);
        } else {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(jar)); // a temp file is owner-only
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return upgraded;
    }

    private static int majorVersion(byte[] classBytes) {
        return ((classBytes[6] & 0xff) << 8) | (classBytes[7] & 0xff);
    }
}
