"""Fan-out/fan-in: one source, three parallel workers reading its output, one join of all three."""
import sys
from kfp import compiler, dsl


@dsl.container_component
def source(seed: int, value: dsl.OutputPath(str)):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'printf "%s" "$0" > "$1"'],
        args=[seed, value],
    )


@dsl.container_component
def work(base: str, factor: int, product: dsl.OutputPath(str)):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'echo "$(( $0 * $1 ))" > "$2"'],
        args=[base, factor, product],
    )


@dsl.container_component
def join(a: str, b: str, c: str, total: dsl.OutputPath(str)):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'sum=$(( $0 + $1 + $2 )); test "$sum" = 42 && printf "%s" "$sum" > "$3"'],
        args=[a, b, c, total],
    )


@dsl.pipeline(name="fan-out-in")
def pipeline(seed: int = 7):
    s = source(seed=seed)
    w1 = work(base=s.outputs["value"], factor=1).set_display_name("times one")
    w2 = work(base=s.outputs["value"], factor=2)
    w3 = work(base=s.outputs["value"], factor=3)
    join(a=w1.outputs["product"], b=w2.outputs["product"], c=w3.outputs["product"])


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline, sys.argv[1])
