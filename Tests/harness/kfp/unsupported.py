"""Control flow Sextant has no equivalent for: dsl.If, dsl.ParallelFor with dsl.Collected, dsl.ExitHandler."""
import sys
from kfp import compiler, dsl


@dsl.container_component
def echo(msg: str):
    return dsl.ContainerSpec(image="alpine:3.20", command=["echo"], args=[msg])


@dsl.container_component
def flip(side: dsl.OutputPath(str)):
    return dsl.ContainerSpec(image="alpine:3.20", command=["sh", "-c", 'echo heads > "$0"'], args=[side])


@dsl.pipeline(name="control-flow")
def pipeline(items: list = ["a", "b"]):
    cleanup = echo(msg="cleanup")
    with dsl.ExitHandler(cleanup):
        f = flip()
        with dsl.If(f.outputs["side"] == "heads"):
            echo(msg="it was heads")
        with dsl.ParallelFor(items) as item:
            echo(msg=item)


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline, sys.argv[1])
