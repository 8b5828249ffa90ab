/** The floor a JVM CLI is measured against (bench/run.sh builds it with an AOT cache, as jctr has). */
public final class Hello {
    public static void main(String[] args) {
        System.out.println("hello world");
    }
}
