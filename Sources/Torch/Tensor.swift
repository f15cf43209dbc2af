import CTorch

/// An n-dimensional array owned by libtorch. The Swift object owns exactly one `at::Tensor`
/// handle and frees it when the last reference goes; views share storage as in PyTorch.
public final class Tensor: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { ct_tensor_free(handle) }

    // MARK: properties

    public var rank: Int { Int(ct_tensor_dim(handle)) }

    public var shape: [Int] {
        let n = rank
        guard n > 0 else { return [] }
        var out = [Int64](repeating: 0, count: n)
        _ = ct_tensor_shape(handle, &out)
        return out.map(Int.init)
    }

    /// Size along one dimension; negative dimensions count from the end.
    public func size(_ dim: Int) -> Int {
        let s = shape
        return s[dim < 0 ? s.count + dim : dim]
    }

    public var count: Int { Int(ct_tensor_numel(handle)) }
    public var dtype: DType { DType(rawValue: ct_tensor_dtype(handle)) ?? .float32 }
    public var device: Device {
        ct_tensor_device_type(handle) == 1 ? .cuda(Int(ct_tensor_device_index(handle))) : .cpu
    }
    public var isContiguous: Bool { ct_tensor_is_contiguous(handle) != 0 }

    public var requiresGrad: Bool {
        get { ct_tensor_requires_grad(handle) != 0 }
        set { _ = ct_tensor_set_requires_grad(handle, newValue ? 1 : 0) }
    }

    /// The accumulated gradient, or nil before any backward pass reached this tensor.
    public var grad: Tensor? {
        guard ct_tensor_has_grad(handle) != 0, let g = ct_tensor_grad(handle) else { return nil }
        return Tensor(handle: g)
    }

    public func zeroGrad() { _ = ct_tensor_zero_grad(handle) }

    // MARK: creation

    /// Copies a Swift array into a new CPU tensor of the given shape.
    public convenience init<S: TensorScalar>(_ values: [S], shape: [Int]) throws {
        let expected = shape.reduce(1, *)
        guard expected == values.count else {
            throw TorchError.invalidArgument("\(values.count) values cannot fill shape \(shape)")
        }
        let dims = shape.map(Int64.init)
        let handle = values.withUnsafeBytes { raw in
            ct_from_blob_copy(raw.baseAddress, dims, Int32(dims.count), S.dtype.rawValue)
        }
        guard let handle else { throw lastError() }
        self.init(handle: handle)
    }

    /// A 1-D tensor from a Swift array.
    public convenience init<S: TensorScalar>(_ values: [S]) throws {
        try self.init(values, shape: [values.count])
    }

    /// Copies raw bytes of a known dtype (used by the weight readers).
    public static func fromBytes(_ bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws -> Tensor {
        // Shapes may come from files: negative or overflowing sizes are errors, not traps.
        var need = dtype.byteSize
        for d in shape {
            let (product, overflow) = need.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow else {
                throw TorchError.invalidArgument("\(dtype) shape \(shape) is not a valid tensor size")
            }
            need = product
        }
        guard bytes.count == need else {
            throw TorchError.invalidArgument("\(bytes.count) bytes cannot fill \(dtype) shape \(shape) (\(need) needed)")
        }
        let dims = shape.map(Int64.init)
        return try wrap(ct_from_blob_copy(bytes.baseAddress, dims, Int32(dims.count), dtype.rawValue))
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let d = shape.map(Int64.init)
        return try wrap(ct_zeros(d, Int32(d.count), dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let d = shape.map(Int64.init)
        return try wrap(ct_ones(d, Int32(d.count), dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let d = shape.map(Int64.init)
        return try wrap(ct_full(d, Int32(d.count), value, dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let d = shape.map(Int64.init)
        return try wrap(ct_empty(d, Int32(d.count), dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    /// Uniform in [0, 1), from libtorch's seeded generator (`Runtime.seed`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let d = shape.map(Int64.init)
        return try wrap(ct_rand(d, Int32(d.count), dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    /// Standard normal, from libtorch's seeded generator (`Runtime.seed`).
    public static func randn(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let d = shape.map(Int64.init)
        return try wrap(ct_randn(d, Int32(d.count), dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], device: Device = .cpu) throws -> Tensor {
        let d = shape.map(Int64.init)
        return try wrap(ct_randint(Int64(low), Int64(high), d, Int32(d.count), device.kind.rawValue, device.cIndex))
    }
    public static func randperm(_ n: Int, device: Device = .cpu) throws -> Tensor {
        try wrap(ct_randperm(Int64(n), device.kind.rawValue, device.cIndex))
    }
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .int64,
                              device: Device = .cpu) throws -> Tensor {
        try wrap(ct_arange(start, end, step, dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    public static func arange(_ end: Int, dtype: DType = .int64, device: Device = .cpu) throws -> Tensor {
        try arange(0, Double(end), dtype: dtype, device: device)
    }
    public static func eye(_ n: Int, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try wrap(ct_eye(Int64(n), dtype.rawValue, device.kind.rawValue, device.cIndex))
    }
    public static func scalar(_ value: Double, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try wrap(ct_scalar_tensor(value, dtype.rawValue, device.kind.rawValue, device.cIndex))
    }

    // MARK: conversion and copies

    public func to(_ dtype: DType) throws -> Tensor {
        dtype == self.dtype ? self : try wrap(ct_to_dtype(handle, dtype.rawValue))
    }
    public func to(_ device: Device) throws -> Tensor {
        device == self.device ? self : try wrap(ct_to_device(handle, device.kind.rawValue, device.cIndex))
    }
    public func contiguous() throws -> Tensor { isContiguous ? self : try wrap(ct_contiguous(handle)) }
    /// NHWC strides, which oneDNN's CPU convolutions prefer.
    public func channelsLast() throws -> Tensor { try wrap(ct_to_channels_last(handle)) }
    public func clone() throws -> Tensor { try wrap(ct_clone(handle)) }
    /// The same values cut off from the autograd graph.
    public func detached() throws -> Tensor { try wrap(ct_detach(handle)) }

    /// The value of a one-element tensor.
    public func item() throws -> Double {
        var out = 0.0
        try check(ct_tensor_item_double(handle, &out))
        return out
    }

    /// Copies every element to a Swift array (converting dtype and moving to the CPU as needed).
    public func toArray<S: TensorScalar>(_ type: S.Type = S.self) throws -> [S] {
        let source = try to(S.dtype)
        var out = [S](repeating: S(), count: source.count)
        try out.withUnsafeMutableBytes { raw in
            try check(ct_tensor_copy_to_host(source.handle, raw.baseAddress, raw.count))
        }
        return out
    }

    /// Copies into a caller-owned buffer of exactly `count * dtype.byteSize` bytes.
    public func copyBytes(into buffer: UnsafeMutableRawBufferPointer) throws {
        try check(ct_tensor_copy_to_host(handle, buffer.baseAddress, buffer.count))
    }

    public func floats() throws -> [Float] { try toArray(Float.self) }

    /// Reads the elements of a contiguous float32 CPU tensor in place, without a copy; the pointer
    /// is valid only inside `body`.
    public func withUnsafeFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        guard dtype == .float32 else { throw TorchError.invalidArgument("withUnsafeFloats needs float32, got \(dtype)") }
        guard let raw = ct_tensor_cpu_data(handle) else { throw lastError() }
        return try withExtendedLifetime(self) {
            try body(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: count))
        }
    }
    public func int64s() throws -> [Int64] { try toArray(Int64.self) }
    public func ints() throws -> [Int] { try toArray(Int64.self).map(Int.init) }

    /// Prints libtorch's rendering of the tensor (for debugging).
    public func debugPrint() { _ = ct_tensor_print(handle) }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor(\(dtype), shape: \(shape), device: \(device))" }
}
