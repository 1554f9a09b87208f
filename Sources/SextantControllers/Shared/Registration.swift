import KubeClient
import KubeRuntime

/// Registration of every Sextant reconciler with the controller manager (`sextant controller`).
public enum SextantControllers {
    /// Adds the controllers to `manager`. Each controller watches `options.namespaces` (all when
    /// empty) with `options.workers` workers.
    public static func register(in manager: ControllerManager, client: KubeClient, options: ControllerOptions) throws {
        manager.add(MLPipelineController.make(client: client, options: options))
        manager.add(ModelVersionController.make(client: client, namespaces: options.namespaces))
        manager.add(RetrainPolicyController.make(client: client, namespaces: options.namespaces, workers: options.workers))
    }
}
