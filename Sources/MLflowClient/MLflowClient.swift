/// A small client of MLflow's REST API 2.0: tracking (experiments, runs, params, metrics, tags)
/// and the model registry (registered models, versions, aliases).
public enum MLflowClientModule {}
