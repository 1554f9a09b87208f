"""A DAG with pipeline parameters: greet -> shout -> report, passing parameter outputs along."""
import sys
from kfp import compiler, dsl


@dsl.container_component
def greet(name: str, greeting: dsl.OutputPath(str)):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'mkdir -p "$(dirname "$1")" && printf "hello %s" "$0" > "$1"'],
        args=[name, greeting],
    )


@dsl.container_component
def shout(text: str, times: int, loud: dsl.OutputPath(str)):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'mkdir -p "$(dirname "$2")" && printf "%s x%s!" "$0" "$1" | tr a-z A-Z > "$2"'],
        args=[text, times, loud],
    )


@dsl.container_component
def report(first: str, second: str):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'test "$0" = "hello world" && test "$1" = "HELLO WORLD X3!" && echo ok'],
        args=[first, second],
    )


@dsl.pipeline(name="params-dag")
def pipeline(name: str = "world", times: int = 3):
    g = greet(name=name)
    s = shout(text=g.outputs["greeting"], times=times)
    report(first=g.outputs["greeting"], second=s.outputs["loud"])


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline, sys.argv[1])
