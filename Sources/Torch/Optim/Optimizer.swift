import CTorch

/// A `torch::optim` optimiser. Parameter groups let parts of a model learn at different rates
/// (a new classifier faster than a pretrained backbone, the center-loss centers with their own SGD).
public final class Optimizer {
    let handle: OpaquePointer
    /// Keeps the parameter tensors alive as long as the optimiser refers to them.
    private var groups: [[Tensor]]
    /// Each group's base learning rate, which schedules scale.
    public private(set) var baseLearningRates: [Double]

    public enum Kind: String, Codable, Sendable { case adam, adamw, sgd }

    private init(handle: OpaquePointer, parameters: [Tensor], lr: Double) {
        self.handle = handle
        self.groups = [parameters]
        self.baseLearningRates = [lr]
    }

    deinit { ct_optimizer_free(handle) }

    private static func make(_ parameters: [Tensor], lr: Double,
                             _ create: ([OpaquePointer?]) -> OpaquePointer?) throws -> Optimizer {
        let handles: [OpaquePointer?] = parameters.map { $0.handle }
        guard let h = withExtendedLifetime(parameters, { create(handles) }) else { throw lastError() }
        return Optimizer(handle: h, parameters: parameters, lr: lr)
    }

    public static func adam(_ parameters: [Tensor], lr: Double, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) throws -> Optimizer {
        try make(parameters, lr: lr) {
            ct_adam_new($0, Int32($0.count), lr, betas.0, betas.1, eps, weightDecay, amsgrad ? 1 : 0)
        }
    }

    /// Adam with decoupled weight decay.
    public static func adamW(_ parameters: [Tensor], lr: Double, betas: (Double, Double) = (0.9, 0.999),
                             eps: Double = 1e-8, weightDecay: Double = 0.01, amsgrad: Bool = false) throws -> Optimizer {
        try make(parameters, lr: lr) {
            ct_adamw_new($0, Int32($0.count), lr, betas.0, betas.1, eps, weightDecay, amsgrad ? 1 : 0)
        }
    }

    public static func sgd(_ parameters: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0,
                           weightDecay: Double = 0, nesterov: Bool = false) throws -> Optimizer {
        try make(parameters, lr: lr) {
            ct_sgd_new($0, Int32($0.count), lr, momentum, dampening, weightDecay, nesterov ? 1 : 0)
        }
    }

    /// Adds a parameter group with its own learning rate and weight decay (other options as the first group).
    public func addGroup(_ parameters: [Tensor], lr: Double, weightDecay: Double) throws {
        let handles: [OpaquePointer?] = parameters.map { $0.handle }
        try withExtendedLifetime(parameters) {
            try check(ct_optimizer_add_group(handle, handles, Int32(handles.count), lr, weightDecay))
        }
        groups.append(parameters)
        baseLearningRates.append(lr)
    }

    public var groupCount: Int { Int(ct_optimizer_group_count(handle)) }

    public func learningRate(group: Int = 0) -> Double { ct_optimizer_get_lr(handle, Int32(group)) }

    public func setLearningRate(_ lr: Double, group: Int) throws {
        try check(ct_optimizer_set_lr(handle, Int32(group), lr))
    }

    /// Sets every group to `factor` × its base rate (what an LR schedule does each step).
    public func scaleLearningRates(by factor: Double) throws {
        for (g, base) in baseLearningRates.enumerated() { try setLearningRate(base * factor, group: g) }
    }

    public func step() throws { try check(ct_optimizer_step(handle)) }
    public func zeroGrad() throws { try check(ct_optimizer_zero_grad(handle)) }

    /// Saves the optimiser state (moments, step counts) in libtorch's archive format.
    /// Write to a temporary path and rename for atomicity (the trainer does).
    public func save(to path: String) throws { try check(ct_optimizer_save(handle, path)) }
    public func load(from path: String) throws {
        if ct_optimizer_load(handle, path) != 0 {
            throw TorchError.file(path: path, reason: "cannot restore optimiser state: \(String(cString: ct_last_error()))")
        }
    }
}
