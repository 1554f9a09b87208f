import KubeCore

extension MLPipeline: StatusChangesKeepGeneration {
    public static let group = SextantGroup.group
    public static let version = SextantGroup.version
    public static let kind = "MLPipeline"
    public static let plural = "mlpipelines"
    public static let namespaced = true
}

extension ModelVersion: StatusChangesKeepGeneration {
    public static let group = SextantGroup.group
    public static let version = SextantGroup.version
    public static let kind = "ModelVersion"
    public static let plural = "modelversions"
    public static let namespaced = true
}

extension RetrainPolicy: StatusChangesKeepGeneration {
    public static let group = SextantGroup.group
    public static let version = SextantGroup.version
    public static let kind = "RetrainPolicy"
    public static let plural = "retrainpolicies"
    public static let namespaced = true
}
