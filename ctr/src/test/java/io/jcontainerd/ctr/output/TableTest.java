package io.jcontainerd.ctr.output;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TableTest {
    @Test
    void padsEveryColumnToItsWidestCellPlusOneLikeCtr() {
        StringWriter s = new StringWriter();
        new Table("NAME", "LABELS").row("default", "").row("k8s.io", "a=1").print(new PrintWriter(s));
        assertThat(s.toString()).isEqualTo("NAME    LABELS \ndefault        \nk8s.io  a=1    \n");
    }

    @Test
    void labelsAreSortedAndParsedAsCtrDoes() {
        assertThat(Labels.format(Map.of("b", "2", "a", "1"))).isEqualTo("a=1,b=2");
        assertThat(Labels.parse(List.of("a=1", "b=", "c", "d=x=y"))).containsExactly(
                Map.entry("a", "1"), Map.entry("b", ""), Map.entry("c", ""), Map.entry("d", "x=y"));
    }
}
