import Foundation

/// Learning-rate multiplier per epoch: linear warm-up, then constant, step decay or cosine.
/// The multiplier scales each parameter group's base rate (`Optimizer.scaleLearningRates`).
public struct LRSchedule: Codable, Equatable, Sendable {
    public enum Decay: String, Codable, Sendable { case constant, step, cosine }

    public var decay: Decay
    /// Epochs of linear warm-up from `warmupFactor` to 1.
    public var warmupEpochs: Int
    public var warmupFactor: Double
    /// Step decay: multiply by `gamma` at each milestone epoch.
    public var milestones: [Int]
    public var gamma: Double
    /// Cosine: total epochs and the floor as a fraction of the base rate.
    public var totalEpochs: Int
    public var minFactor: Double

    public init(decay: Decay = .step, warmupEpochs: Int = 10, warmupFactor: Double = 0.01, milestones: [Int] = [40, 70],
                gamma: Double = 0.1, totalEpochs: Int = 120, minFactor: Double = 0) {
        self.decay = decay
        self.warmupEpochs = warmupEpochs
        self.warmupFactor = warmupFactor
        self.milestones = milestones
        self.gamma = gamma
        self.totalEpochs = totalEpochs
        self.minFactor = minFactor
    }

    /// The multiplier for a (0-based, possibly fractional) epoch.
    public func factor(epoch: Double) -> Double {
        var f = 1.0
        switch decay {
        case .constant:
            break
        case .step:
            let passed = milestones.filter { Double($0) <= epoch }.count
            f = Foundation.pow(gamma, Double(passed))
        case .cosine:
            let start = Double(warmupEpochs)
            let span = max(1, Double(totalEpochs) - start)
            let t = min(1, max(0, (epoch - start) / span))
            f = minFactor + (1 - minFactor) * 0.5 * (1 + Foundation.cos(Double.pi * t))
        }
        if warmupEpochs > 0 && epoch < Double(warmupEpochs) {
            let alpha = epoch / Double(warmupEpochs)
            f *= warmupFactor * (1 - alpha) + alpha
        }
        return f
    }
}
