import Foundation
import Torch

/// mesh-combine's feature: (w_o·f(original) + w_m·f(masked original)) / (w_o + w_m), written as
/// softmax(logits)·[f_o, f_m] with logits = log(w_o, w_m), which is the same thing. Fixed weights
/// (the paper's 2:1) keep the logits constant; learned weights train them with the model.
public final class FeatureCombination: Module {
    @Parameter public var logits: Tensor
    public let learned: Bool

    public init(originalWeight: Double = 2, maskWeight: Double = 1, learned: Bool) throws {
        guard originalWeight > 0, maskWeight > 0 else {
            throw ReIDError.invalidOption("views.originalWeight and views.maskWeight must be > 0 (got \(originalWeight), \(maskWeight))")
        }
        logits = try Tensor([Float(originalWeight).logarithm, Float(maskWeight).logarithm], shape: [2])
        self.learned = learned
        if !learned { logits.requiresGrad = false }
    }

    /// The normalised weights [w_o, w_m] (summing to 1), differentiable when learned.
    public func weights() throws -> Tensor { try logits.softmax(dim: 0) }

    /// The normalised weights as numbers, for logs.
    public func weightValues() throws -> [Double] { try weights().detached().floats().map(Double.init) }

    /// Combines two [N, D] features of the same images.
    public func callAsFunction(original: Tensor, masked: Tensor) throws -> Tensor {
        let w = try weights().to(original.device)
        return try original * w.select(dim: 0, index: 0) + masked * w.select(dim: 0, index: 1)
    }
}

extension Float {
    fileprivate var logarithm: Float { Float(Foundation.log(Double(self))) }
}
