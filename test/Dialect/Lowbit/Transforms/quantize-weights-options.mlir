// Invalid options are reported once, at the module.
// RUN: lowbit-opt %s -verify-diagnostics -lowbit-quantize-weights="granularity=per-row" -split-input-file
// RUN: not lowbit-opt %s -lowbit-quantize-weights="rounding=up" 2>&1 | FileCheck %s --check-prefix=ROUNDING
// RUN: not lowbit-opt %s -lowbit-quantize-weights="bits=9" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not lowbit-opt %s -lowbit-quantize-weights="codebook=linspace(1,2)" 2>&1 | FileCheck %s --check-prefix=LINSPACE
// RUN: not lowbit-opt %s -lowbit-quantize-weights="codebook=1.0,0.5" 2>&1 | FileCheck %s --check-prefix=CODEBOOK
// RUN: not lowbit-opt %s -lowbit-quantize-weights="param-type=f8" 2>&1 | FileCheck %s --check-prefix=PARAM
// RUN: not lowbit-opt %s -lowbit-quantize-weights="clipping=kl" 2>&1 | FileCheck %s --check-prefix=CLIPPING
// RUN: not lowbit-opt %s -lowbit-quantize-weights="symmetric=false asymmetric-form=signed" 2>&1 | FileCheck %s --check-prefix=FORM
// RUN: not lowbit-opt %s -lowbit-quantize-weights="filter=(" 2>&1 | FileCheck %s --check-prefix=FILTER
// RUN: not lowbit-opt %s -lowbit-quantize-weights="bits=4 symmetric=false asymmetric-form=min-scale codebook=linspace(-1,1,17)" 2>&1 | FileCheck %s --check-prefix=LEVELS

// ROUNDING: error: unknown rounding 'up' (expected nearest-even, nearest-away or toward-zero)
// BITS: error: scheme bit width must be in [2, 8], got 9
// LINSPACE: error: codebook 'linspace(1,2)' must be linspace(LO,HI,N)
// CODEBOOK: error: codebook levels must be strictly ascending (level 1)
// PARAM: error: unknown param-type 'f8' (expected f32, f16 or superblock)
// CLIPPING: error: unknown clipping 'kl' (expected minmax or mse)
// FORM: error: unknown asymmetric-form 'signed' (expected affine or min-scale)
// FILTER: error: invalid filter regex '('
// LEVELS: error: codebook has 17 levels but 4 bits hold only 16

// expected-error @+1 {{unknown granularity 'per-row' (expected per-tensor, per-channel or per-group)}}
module {
}
