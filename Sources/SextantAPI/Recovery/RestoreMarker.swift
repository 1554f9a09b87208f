/// The annotation `sextant restore` puts on an object between creating it and writing its status
/// back. Controllers leave an object alone while it is present (Kubernetes ignores `status` on
/// create, so without it a controller could start a finished run again before its status is back);
/// a restore interrupted at that point resumes the object on the next restore.
public enum RestoreMarker {
    /// `ml.sextant.dev/restore-pending`; the value is the backup's `createdAt`.
    public static let annotation = "ml.sextant.dev/restore-pending"

    /// True while a restore has not finished writing this object's status.
    public static func isPending(_ annotations: [String: String]?) -> Bool {
        annotations?[annotation] != nil
    }
}
