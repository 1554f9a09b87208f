"""Resource requests/limits, a retry policy, caching turned off, env and an artifact passed on."""
import sys
from kfp import compiler, dsl


@dsl.container_component
def train(epochs: int, model: dsl.Output[dsl.Model], accuracy: dsl.OutputPath(float)):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'mkdir -p "$(dirname "$1")" && echo "weights-$0-$MODE" > "$1" && echo 0.9 > "$2"'],
        args=[epochs, model.path, accuracy],
    )


@dsl.container_component
def evaluate(model: dsl.Input[dsl.Model], accuracy: float):
    return dsl.ContainerSpec(
        image="alpine:3.20",
        command=["sh", "-c", 'grep -q "weights-5-fast" "$0" && test "$1" = 0.9 && echo evaluated'],
        args=[model.path, accuracy],
    )


@dsl.pipeline(name="resources-retries")
def pipeline(epochs: int = 5):
    t = train(epochs=epochs)
    t.set_cpu_request("500m").set_cpu_limit("2").set_memory_request("1G").set_memory_limit("4G")
    t.set_retry(num_retries=2, backoff_duration="5s", backoff_factor=2.0, backoff_max_duration="60s")
    t.set_env_variable("MODE", "fast")
    t.set_caching_options(False)
    e = evaluate(model=t.outputs["model"], accuracy=t.outputs["accuracy"])
    e.set_memory_limit("512M")


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline, sys.argv[1])
