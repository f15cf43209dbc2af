/// A trainable thing with named parameters, buffers and child modules, named as PyTorch
/// names them (`layer1.0.conv1.weight`), so weights from the Python world load as they are.
///
/// Conformers declare tensors with `@Parameter` / `@Buffer` and children as stored properties
/// (a module, an optional module, or an array of modules); reflection finds them. Modules whose
/// structure is only known at run time (an imported ONNX graph, `Sequential`) override
/// `namedChildren` or `ownTensors`.
public protocol Module: AnyObject {
    /// Direct children and their names.
    var namedChildren: [(name: String, module: any Module)] { get }
    /// This module's own parameters and buffers (children's excluded).
    var ownTensors: [(name: String, slot: any TensorSlot)] { get }
}

/// A module that maps one tensor to one tensor.
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) throws -> Tensor
}

/// Modules that behave differently in training and evaluation (BatchNorm, Dropout...).
public protocol TrainingModeAware: AnyObject {
    var isTraining: Bool { get set }
}

extension Module {
    public var namedChildren: [(name: String, module: any Module)] {
        var out: [(String, any Module)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            for child in m.children {
                guard let label = child.label else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                if let module = child.value as? any Module {
                    out.append((name, module))
                } else if let modules = child.value as? [any Module] {
                    for (i, module) in modules.enumerated() { out.append(("\(name).\(i)", module)) }
                }
            }
            mirror = m.superclassMirror
        }
        return out
    }

    public var ownTensors: [(name: String, slot: any TensorSlot)] {
        var out: [(String, any TensorSlot)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            for child in m.children {
                guard let label = child.label, let slot = child.value as? any TensorSlot else { continue }
                let name = slot.name ?? (label.hasPrefix("_") ? String(label.dropFirst()) : label)
                out.append((name, slot))
            }
            mirror = m.superclassMirror
        }
        return out
    }

    /// Every module in the tree, depth first, with its dotted path ("" for the root).
    public func namedModules(prefix: String = "") -> [(name: String, module: any Module)] {
        var out: [(String, any Module)] = [(prefix, self)]
        for (name, child) in namedChildren {
            out += child.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
        }
        return out
    }

    /// Every parameter and buffer slot with its full dotted name.
    public func namedSlots() -> [(name: String, slot: any TensorSlot)] {
        var out: [(String, any TensorSlot)] = []
        for (path, module) in namedModules() {
            for (name, slot) in module.ownTensors where slot.tensor != nil {
                out.append((path.isEmpty ? name : "\(path).\(name)", slot))
            }
        }
        return out
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        namedSlots().filter { !$0.slot.isBuffer }.map { ($0.name, $0.slot.tensor!) }
    }

    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters that the optimiser should update (those with `requiresGrad`).
    public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }

    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        namedSlots().filter { $0.slot.isBuffer }.map { ($0.name, $0.slot.tensor!) }
    }

    /// Parameters and buffers by name: what a checkpoint holds.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedSlots().map { ($0.name, $0.slot.tensor!) }, uniquingKeysWith: { a, _ in a })
    }

    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Switches every TrainingModeAware module in the tree.
    public func train(_ on: Bool = true) {
        for (_, module) in namedModules() {
            (module as? any TrainingModeAware)?.isTraining = on
        }
    }

    public func eval() { train(false) }

    /// Moves every parameter and buffer; parameters keep `requiresGrad`.
    public func to(_ device: Device) throws {
        try replaceTensors { try $0.to(device) }
    }

    /// Converts floating-point parameters and buffers (integer counters keep their type).
    public func to(_ dtype: DType) throws {
        try replaceTensors { $0.dtype.isFloatingPoint ? try $0.to(dtype) : $0 }
    }

    fileprivate func replaceTensors(_ transform: (Tensor) throws -> Tensor) throws {
        for (_, slot) in namedSlots() {
            guard let old = slot.tensor else { continue }
            let moved = try withNoGrad { try transform(old) }
            if !slot.isBuffer { moved.requiresGrad = old.requiresGrad }
            slot.tensor = moved
        }
    }

    /// Freezes or unfreezes every parameter.
    public func requiresGrad(_ on: Bool) {
        for p in parameters() { p.requiresGrad = on }
    }
}

extension Module {
    /// Re-lays 4-D parameters (convolution kernels) in NHWC strides, which oneDNN's CPU
    /// convolutions run faster on; feed inputs made with `Tensor.channelsLast()`.
    public func convertToChannelsLast() throws {
        try replaceTensors { $0.rank == 4 ? try $0.channelsLast() : $0 }
    }
}
