import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

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
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(jar); // zipfs rewrites through an owner-only temp file
        int upgraded = 0;
        // through the zip file system, which copies the entries it did not change as they are: the daemon's jar
        // holds ~300 MB of native libraries that a ZipInputStream/ZipOutputStream copy would inflate and deflate again
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             FileSystem zip = FileSystems.newFileSystem(jar)) {
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
            List<Path> classFiles;
            try (Stream<Path> entries = Files.walk(zip.getPath("/"))) {
                classFiles = entries.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p)).toList();
            }
            for (Path entry : classFiles) {
                byte[] bytes = Files.readAllBytes(entry);
                if (majorVersion(bytes) < JAVA_6) {
                    Files.write(entry, classFile.transformClass(classFile.parse(bytes), toJava8));
                    upgraded++;
                }
            }
        }
        Files.setPosixFilePermissions(jar, permissions);
        return upgraded;
    }

    private static int majorVersion(byte[] classBytes) {
        return ((classBytes[6] & 0xff) << 8) | (classBytes[7] & 0xff);
    }
}
