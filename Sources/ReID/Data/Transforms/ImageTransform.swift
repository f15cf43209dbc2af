import Foundation
import Torch

/// A random (or fixed) change to an 8-bit HWC `Image`, such as a flip or a crop. Randomness comes
/// only from `rng`, so a transform is deterministic given the generator's seed.
public protocol ImageTransform: Sendable {
    func apply(_ image: Image, using rng: inout SeededRandom) throws -> Image
}

/// A random (or fixed) change to a normalised CHW float image, such as random erasing.
public protocol FloatImageTransform: Sendable {
    func apply(_ image: inout FloatImage, using rng: inout SeededRandom)
}

extension SeededRandom {
    /// A generator for one item of a stream, from a base seed and the item's position: the same
    /// (seed, index) always gives the same numbers, whichever thread draws them.
    public static func derived(seed: UInt64, index: UInt64) -> SeededRandom {
        var mixer = SeededRandom(seed: seed ^ (index &* 0xD6E8_FEB8_6659_FD93))
        return SeededRandom(seed: mixer.next())
    }

    /// A standard normal sample (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(uniform(0, 1), 1e-12), u2 = uniform(0, 1)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
