import KubeCore
import SextantAPI

/// Objects with every field set, so that a schema/type mismatch in any field is caught.
enum Samples {
    static let condition = Condition(type: "Ready", status: "True", observedGeneration: 1, lastTransitionTime: "2026-11-26T00:00:00Z", reason: "Succeeded", message: "ok")
    static let resources = ComputeResources(requests: ["cpu": "1", "memory": "2Gi"], limits: ["nvidia.com/gpu": "1"])
    static let env = [ContainerEnvVar(name: "LR", value: "{{params.lr}}", valueFrom: ["secretKeyRef": ["name": "s", "key": "k"]])]
    static let canary = CanarySpec(trafficPercent: [10, 50], stepSeconds: 300, analysis: CanaryAnalysis(
        prometheus: PrometheusQuery(url: "http://prometheus:9090", query: "errors{version=\"{{version}}\"}"), maxValue: 0.01, minValue: 0, failureLimit: 1))
    static let gateway = ServingGateway(parentRefs: [GatewayParentRef(name: "public", namespace: "infra", sectionName: "https")], hostnames: ["churn.example.com"])
    static let rollout = RolloutStatus(phase: "Progressing", trafficPercent: 10, step: 0, startedAt: "2026-11-26T00:00:00Z",
                                       analysis: [AnalysisSample(at: "2026-11-26T00:05:00Z", value: 0.001, passed: true)])
    static let serving = ServingSpec(image: "srv:1", command: ["serve"], args: ["--port"], replicas: 2, port: 8080, env: env, resources: resources,
                                     canary: canary, gateway: gateway,
        autoscaling: ServingAutoscaling(minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercent: 70),
        disruptionBudget: ServingDisruptionBudget(minAvailable: .count(1), maxUnavailable: .percent(50)), topologySpread: "zone")

    static let promotion = PromotionSpec(gates: [MetricGate(metric: "auc", min: 0.9, max: 1)], compareToProduction: ProductionComparison(metric: "auc", minImprovement: 0.005), requireApproval: true, requireCard: true)

    static let pipelineSpec = MLPipelineSpec(
        params: ["lr": "0.05"],
        datasets: [Dataset(name: "events", uri: "s3://d/e.parquet", version: "v1")],
        parallelism: 4, timeoutSeconds: 86400, cancel: false,
        podDefaults: PodDefaults(serviceAccountName: "trainer", nodeSelector: ["pool": "gpu"], tolerations: [["key": "gpu"]], imagePullSecrets: [["name": "regcred"]]),
        steps: [
            PipelineStep(
                name: "prepare", dependsOn: ["x"],
                container: ContainerStep(
                    image: "img:1", command: ["python"], args: ["a"], env: env, workingDir: "/w", imagePullPolicy: "Always",
                    resources: resources, terminationMessagePath: "/dev/termination-log",
                    podMetadata: PodMetadata(labels: ["a": "b"], annotations: ["c": "d"])),
                sagemaker: SageMakerStep(
                    region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/r", image: "i", instanceType: "ml.m5.xlarge",
                    instanceCount: 1, volumeSizeGB: 30, hyperParameters: ["a": "b"], inputs: [SageMakerInput(channel: "train", s3Uri: "s3://b/p")],
                    outputS3Uri: "s3://b/o", maxRuntimeSeconds: 3600, maxWaitSeconds: 7200, checkpointS3Uri: "s3://b/c", environment: ["A": "B"]),
                vertexAI: VertexAIStep(
                    project: "p", location: "l", image: "i", command: ["c"], args: ["a"], machineType: "n1", acceleratorType: "T4",
                    acceleratorCount: 1, replicaCount: 1, serviceAccount: "sa", baseOutputDirectory: "gs://b/o", environment: ["A": "B"]),
                azureML: AzureMLStep(subscriptionId: "s", resourceGroup: "r", workspace: "w", compute: "c", environment: "e", command: "python t.py", instanceCount: 1,
                                     environmentVariables: ["A": "B"], outputUri: "az://acct/c/o", vmSize: "Standard_DS3_v2", experimentName: "x",
                                     distribution: "PyTorch"),
                retry: RetryPolicy(limit: 2, backoff: Backoff(initialSeconds: 10, factor: 2, maxSeconds: 600)),
                timeoutSeconds: 7200, spot: true,
                outputs: StepOutputs(artifacts: ["features"], metrics: ["auc"]),
                cache: CachePolicy(enabled: true, maxAgeSeconds: 60),
                awsBatch: AWSBatchStep(
                    region: "eu-west-1", jobQueue: "q", jobDefinition: "d:1", command: ["python"], environment: ["A": "B"],
                    vcpus: 4, memoryMiB: 16384, gpus: 1, nodes: 2, outputS3Uri: "s3://b/o"),
                airflow: AirflowStep(url: "https://airflow.example.com", dagId: "prepare_data", conf: ["lr": "{{params.lr}}", "n": 3])),
        ],
        register: RegisterSpec(model: "churn", artifact: "{{steps.prepare.outputs.artifacts.features}}", metricsFrom: "prepare", stage: "Staging", promotion: promotion, serving: serving, framework: "xgboost"),
        tracking: TrackingSpec(mlflow: MLflowTrackingSpec(trackingURI: "http://mlflow.mlops:5000", experiment: "churn"),
                               wandb: WandbTrackingSpec(project: "churn", entity: "acme")))

    static let pipeline = MLPipeline(
        metadata: ObjectMeta(name: "p", namespace: "ml"),
        spec: pipelineSpec,
        status: MLPipelineStatus(
            phase: "Running", startedAt: "2026-11-26T00:00:00Z", finishedAt: "2026-11-26T00:00:00Z", observedGeneration: 1,
            conditions: [condition], progress: "0/1",
            steps: [StepStatus(
                name: "prepare", phase: "Running",
                attempts: [AttemptStatus(
                    attempt: 0, job: "p-prepare-0", cloudJob: CloudJobRef(backend: "sagemaker", id: "arn", url: "https://x"),
                    startedAt: "2026-11-26T00:00:00Z", finishedAt: "2026-11-26T00:00:00Z", phase: "Failed", reason: "Failed", message: "m")],
                cacheKey: "abc", cached: false, cachedFrom: "q/prepare",
                outputs: OutputValues(artifacts: ["features": "s3://f"], metrics: ["auc": 0.9]),
                cost: Cost(estimatedUSD: 1.5, billableSeconds: 10, spotSavingsPercent: 70, message: "m"))],
            lineage: Lineage(datasets: [Dataset(name: "events", uri: "s3://d", version: "v1")], images: ["img:1"], modelVersion: "churn-v1"),
            cost: Cost(estimatedUSD: 1.5, billableSeconds: 10, spotSavingsPercent: 70, message: "m"),
            tracking: TrackingStatus(mlflow: MLflowTrackingStatus(experimentId: "1", runId: "abc", url: "http://mlflow/#/experiments/1/runs/abc"),
                                     wandb: WandbTrackingStatus(group: "p"))))

    static let modelVersion = ModelVersion(
        metadata: ObjectMeta(name: "churn-v1", namespace: "ml"),
        spec: ModelVersionSpec(
            model: "churn", version: 1, artifact: ArtifactRef(uri: "s3://m", digest: "sha256:" + String(repeating: "a", count: 64)),
            framework: "xgboost", metrics: ["auc": 0.9], source: ModelSource(pipeline: "p", step: "train"), stage: "Production",
            promotion: promotion,
            serving: serving,
            registries: RegistriesSpec(sagemaker: SageMakerRegistry(region: "eu-west-1", modelPackageGroup: "churn"), mlflow: MLflowRegistry(trackingURI: "http://mlflow", name: "churn"),
                                     azureML: AzureMLRegistry(subscriptionId: "sub", resourceGroup: "ml", workspace: "ws", name: "churn"),
                                     vertexAI: VertexAIRegistry(project: "acme-ml", location: "europe-west4", displayName: "churn", servingImage: "europe-docker.pkg.dev/acme-ml/serve/churn:1")),
            card: ModelCard(description: "d", intendedUse: "u", limitations: "l", owners: ["o"], license: "MIT")),
        status: ModelVersionStatus(
            observedGeneration: 1, stage: "Production", promotedAt: "2026-11-26T00:00:00Z",
            gates: [GateResult(metric: "auc", value: 0.9, passed: true, message: "ok")],
            endpoint: "http://churn-v1.ml.svc:8080", deployment: "churn-v1", readyReplicas: 2,
            registries: [RegistryStatus(registry: "mlflow", id: "3", url: "http://mlflow/#/models/churn/versions/3", synced: true, stage: "alias production", syncedAt: "2026-11-26T00:00:00Z", observedGeneration: 2, message: "ok")],
            lineage: ModelLineage(pipeline: "p", step: "train", datasets: [Dataset(name: "e", uri: "s3://d", version: "1")], images: ["i"]),
            history: [StageTransition(from: "Staging", to: "Production", at: "2026-11-26T00:00:00Z", reason: "Promoted", approvedBy: "alice")],
            conditions: [condition], cost: ModelVersionCost(estimatedUSD: 1.5, servingUSDPerHour: 0.2, message: "m"), rollout: rollout))

    static let retrainPolicyBase = RetrainPolicy(
        metadata: ObjectMeta(name: "rp", namespace: "ml"),
        spec: RetrainPolicySpec(
            pipeline: PipelineTemplate(metadata: TemplateMetadata(labels: ["team": "growth"], annotations: ["a": "b"]), spec: pipelineSpec),
            schedule: "0 3 * * 1", timeZone: "Europe/Berlin",
            triggers: RetrainTriggers(
                dataChange: DataChangeTrigger(dataset: "events", pollIntervalSeconds: 600, format: "delta"),
                metric: MetricTrigger(prometheus: PrometheusQuery(url: "http://prom:9090", query: "avg(x)"), below: 0.85, above: 0.99, forSeconds: 1800, pollIntervalSeconds: 300)),
            concurrencyPolicy: "Forbid", minIntervalSeconds: 21600, startingDeadlineSeconds: 3600, suspend: false,
            successfulRunsHistoryLimit: 3, failedRunsHistoryLimit: 1),
        status: RetrainPolicyStatus(
            observedGeneration: 1, lastTriggerTime: "2026-11-26T00:00:00Z", lastTrigger: LastTrigger(reason: "Schedule", detail: "d"),
            nextScheduleTime: "2026-11-26T00:00:00Z", active: [RunReference(name: "rp-1", uid: "u")], lastSuccessfulRun: "rp-0",
            observedDataVersion: "v1", metricBreachedSince: "2026-11-26T00:00:00Z", runsCreated: 2, conditions: [condition]))
    static let retrainPolicy: RetrainPolicy = {
        var policy = retrainPolicyBase
        policy.status?.observedTrigger = "manual-1"
        policy.status?.metric = RetrainMetricStatus(
            value: 0.81, observedAt: "2026-11-26T00:00:00Z", breachingSince: "2026-11-26T00:00:00Z", handledBreach: "2026-11-26T00:00:00Z")
        policy.spec.triggers?.metric?.cloudWatch = CloudWatchMetricQuery(
            region: "eu-west-1", namespace: "Sextant/Monitoring", metricName: "drift", dimensions: ["Model": "churn"], statistic: "Maximum",
            periodSeconds: 60)
        policy.spec.triggers?.metric?.cloudMonitoring = CloudMonitoringMetricQuery(project: "p", query: "avg(drift)")
        policy.spec.triggers?.metric?.azureMonitor = AzureMonitorMetricQuery(workspaceId: "w", query: "Drift | project TimeGenerated, value")
        return policy
    }()
}
