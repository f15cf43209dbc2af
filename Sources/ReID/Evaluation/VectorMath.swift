/// Dot products and squared distances of float rows, eight lanes at a time: a plain scalar loop
/// is not vectorised (float addition is not reassociated), and the re-ranking and Jaccard
/// encodings take one such product per neighbour of every item.
enum VectorMath {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var t = 0
        while t + 8 <= count {
            lanes += UnsafeRawPointer(a + t).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + t).loadUnaligned(as: SIMD8<Float>.self)
            t += 8
        }
        var sum = lanes.sum()
        while t < count { sum += a[t] * b[t]; t += 1 }
        return sum
    }

    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var t = 0
        while t + 8 <= count {
            let d = UnsafeRawPointer(a + t).loadUnaligned(as: SIMD8<Float>.self)
                - UnsafeRawPointer(b + t).loadUnaligned(as: SIMD8<Float>.self)
            lanes += d * d
            t += 8
        }
        var sum = lanes.sum()
        while t < count { let d = a[t] - b[t]; sum += d * d; t += 1 }
        return sum
    }
}
