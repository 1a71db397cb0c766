"""Keras 3's optimizers: arguments, defaults, names, configs and slot variables.

The update formulas run in the core (csrc/kernels, `ks::Opt`); `kind` names the core's
optimizer for lowering.
"""

import math
import numbers

from .optimizer import Optimizer


def _finite_settings(**settings):
    """A NaN/inf hyper-parameter makes every update NaN: refuse it at construction."""
    for name, v in settings.items():
        if isinstance(v, numbers.Real) and not isinstance(v, bool) and not math.isfinite(v):
            raise ValueError(f"Argument `{name}` must be finite. Received: {name}={v!r}")


class SGD(Optimizer):
    """Gradient descent with optional momentum and Nesterov momentum.

    Without momentum: `w = w - learning_rate * g`. With momentum:
    `velocity = momentum * velocity - learning_rate * g`, `w = w + velocity` (Nesterov:
    `w = w + momentum * velocity - learning_rate * g`).

    The update runs in C++ inside the model's compiled training step.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable of no argument returning a float. Defaults to `0.01`.
        momentum: The momentum factor, in `[0, 1]`: how much of the previous update
            carries into the next. Defaults to `0.0`.
        nesterov: Whether to apply Nesterov momentum. Defaults to `False`.
        weight_decay: Decoupled weight decay: each step also subtracts
            `learning_rate * weight_decay * w`. Defaults to `None`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm. Defaults
            to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Kept in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Kept in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to `None`.
        **kwargs: `decay`, which Keras also ignores.
    """

    kind = "sgd"

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        if not isinstance(momentum, float) or not 0 <= momentum <= 1:  # NaN fails too
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = momentum, nesterov

    def _slot_groups(self):
        return ((("momentum", 0.0),),) if self.momentum != 0 else ()

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014): stochastic gradient descent with per-weight step sizes
    from moving averages of the gradient and of its square, bias-corrected.

    ```python
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
    ```

    The update runs in C++ inside the model's compiled training step.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable of no argument returning a float. Defaults to `0.001`.
        beta_1: The decay rate of the first-moment (mean) estimate. Defaults to
            `0.9`.
        beta_2: The decay rate of the second-moment (uncentered variance) estimate.
            Defaults to `0.999`.
        epsilon: A small constant for numerical stability. Defaults to `1e-07`.
        amsgrad: Whether to use the AMSGrad variant (the maximum of past second
            moments). Defaults to `False`.
        weight_decay: Decoupled weight decay: each step also subtracts
            `learning_rate * weight_decay * w`. Defaults to `None`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm. Defaults
            to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Kept in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Kept in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to `None`.
        **kwargs: `decay`, which Keras also ignores.
    """

    kind = "adam"

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        _finite_settings(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _slot_groups(self):
        groups = ((("momentum", 0.0), ("velocity", 0.0)),)
        return groups + ((("velocity_hat", 0.0),),) if self.amsgrad else groups

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): the weights shrink by
    `learning_rate * weight_decay * w` at each step, apart from the gradient step.

    The update runs in C++ inside the model's compiled training step.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable of no argument returning a float. Defaults to `0.001`.
        weight_decay: The decoupled weight decay factor. Defaults to `0.004`.
        beta_1: The decay rate of the first-moment (mean) estimate. Defaults to
            `0.9`.
        beta_2: The decay rate of the second-moment (uncentered variance) estimate.
            Defaults to `0.999`.
        epsilon: A small constant for numerical stability. Defaults to `1e-07`.
        amsgrad: Whether to use the AMSGrad variant (the maximum of past second
            moments). Defaults to `False`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm. Defaults
            to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Kept in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Kept in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to `None`.
        **kwargs: `decay`, which Keras also ignores.
    """

    kind = "adamw"

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class RMSprop(Optimizer):
    """RMSprop: divides the gradient by the root of a moving average of its square.

    The update runs in C++ inside the model's compiled training step.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable of no argument returning a float. Defaults to `0.001`.
        rho: The decay rate of the moving average of squared gradients. Defaults to
            `0.9`.
        momentum: The momentum factor, in `[0, 1]`: how much of the previous update
            carries into the next. Defaults to `0.0`.
        epsilon: A small constant for numerical stability. Defaults to `1e-07`.
        centered: Whether to divide by the estimated variance (the moving average of
            the squared gradient minus the square of its moving average) rather than
            the uncentered second moment. Defaults to `False`.
        weight_decay: Decoupled weight decay: each step also subtracts
            `learning_rate * weight_decay * w`. Defaults to `None`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm. Defaults
            to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Kept in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Kept in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to `None`.
        **kwargs: `decay`, which Keras also ignores.
    """

    kind = "rmsprop"

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        _finite_settings(rho=rho, momentum=momentum, epsilon=epsilon)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _slot_groups(self):
        groups = ((("velocity", 0.0),),)
        if self.momentum > 0:
            groups += ((("momentum", 0.0),),)
        if self.centered:
            groups += ((("average_gradient", 0.0),),)
        return groups

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): per-weight step sizes that shrink with the sum of the
    squares of past gradients, so rarely updated weights take larger steps.

    The update runs in C++ inside the model's compiled training step.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable of no argument returning a float. Defaults to `0.001`.
        initial_accumulator_value: The starting value of the sums of squared
            gradients, non-negative. Defaults to `0.1`.
        epsilon: A small constant for numerical stability. Defaults to `1e-07`.
        weight_decay: Decoupled weight decay: each step also subtracts
            `learning_rate * weight_decay * w`. Defaults to `None`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm. Defaults
            to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Kept in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Kept in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to `None`.
        **kwargs: `decay`, which Keras also ignores.
    """

    kind = "adagrad"

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        _finite_settings(initial_accumulator_value=initial_accumulator_value, epsilon=epsilon)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _slot_groups(self):
        return ((("accumulator", float(self.initial_accumulator_value)),),)

    def get_config(self):
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): step sizes from moving averages of squared gradients and of
    squared updates, so no learning rate needs tuning (Keras still multiplies by
    `learning_rate`).

    The update runs in C++ inside the model's compiled training step.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable of no argument returning a float. Defaults to `0.001`.
        rho: The decay rate of the moving average of squared gradients. Defaults to
            `0.95`.
        epsilon: A small constant for numerical stability. Defaults to `1e-07`.
        weight_decay: Decoupled weight decay: each step also subtracts
            `learning_rate * weight_decay * w`. Defaults to `None`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm. Defaults
            to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Kept in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Kept in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to `None`.
        **kwargs: `decay`, which Keras also ignores.
    """

    kind = "adadelta"

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.95,
        epsilon=1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        _finite_settings(rho=rho, epsilon=epsilon)
        self.rho, self.epsilon = rho, epsilon

    def _slot_groups(self):
        return ((("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0)),)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Nadam (Dozat, 2016): Adam with Nesterov momentum.

    The update runs in C++ inside the model's compiled training step.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable of no argument returning a float. Defaults to `0.001`.
        beta_1: The decay rate of the first-moment (mean) estimate. Defaults to
            `0.9`.
        beta_2: The decay rate of the second-moment (uncentered variance) estimate.
            Defaults to `0.999`.
        epsilon: A small constant for numerical stability. Defaults to `1e-07`.
        weight_decay: Decoupled weight decay: each step also subtracts
            `learning_rate * weight_decay * w`. Defaults to `None`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm. Defaults
            to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Kept in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Kept in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to `None`.
        **kwargs: `decay`, which Keras also ignores.
    """

    kind = "nadam"

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        _finite_settings(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.u_product = None

    def _slot_groups(self):
        return ((("momentum", 0.0), ("velocity", 0.0)),)

    def _build_extra(self, var_list):
        # Keras keeps the running product of the momentum schedule as one more variable.
        import numpy as np

        from ..variables import Variable

        self.u_product = Variable(
            np.float32(1.0), shape=(), trainable=False, name="variable", path="variable"
        )
        self._variables.append(self.u_product)

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
