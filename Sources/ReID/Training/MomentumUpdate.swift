import Torch

/// The exponential moving average that keeps a momentum encoder behind the trained one (MoCo's
/// key encoder, ReMix's centroid and pseudo-label encoder): every floating-point parameter and
/// buffer (BatchNorm running statistics included) becomes m·target + (1 − m)·source; other
/// buffers (BatchNorm's batch counter) are copied. m = 0 copies the source.
public enum MomentumUpdate {
    public static func apply(target: any Module, source: any Module, momentum m: Double) throws {
        guard (0...1).contains(m) else { throw ReIDError.invalidOption("momentum must be in [0, 1], got \(m)") }
        let t = target.namedParameters() + target.namedBuffers()
        let s = source.namedParameters() + source.namedBuffers()
        guard t.map(\.name) == s.map(\.name) else {
            throw ReIDError.model("the momentum encoder and the encoder have different tensors")
        }
        try withNoGrad {
            for (a, b) in zip(t, s) {
                if a.tensor.dtype.isFloatingPoint && m > 0 {
                    try a.tensor.mul_(m)
                    try a.tensor.add_(b.tensor.detached(), alpha: 1 - m)
                } else {
                    try a.tensor.copy_(b.tensor.detached())
                }
            }
        }
    }
}
