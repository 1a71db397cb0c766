"""`Optimizer` base: Keras 3's hyper-parameters, variables and config.

The object holds configuration and, once built for a list of trainable Variables, its
slot Variables; the engine runs the update in C++ on their storage. `variables` follow
Keras's order: iteration, learning_rate (absent with a schedule), then the slots in the
order each optimizer's `build` creates them in Keras.
"""

import numbers

import numpy as np

from ..utils import naming
from ..variables import Variable
from . import schedules


def _finite_lr(value, where=""):
    """A NaN/inf learning rate turns every weight into NaN at the first step."""
    if not np.isfinite(value):
        raise ValueError(
            f"The learning rate must be a finite number{where}; received: learning_rate={value!r}"
        )
    return value


def _check_positive(value, name, allow_none=True):
    if value is None and allow_none:
        return None
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or value < 0
        or not np.isfinite(value)
    ):  # NaN slips past `< 0`; inf clips nothing
        raise ValueError(
            f"Argument `{name}` must be a non-negative float or None. Received: {name}={value!r}"
        )
    return value


class Optimizer:
    """The base class of optimizers: hyper-parameters, slot variables and config.

    The update itself runs in C++, inside the model's compiled training step, on
    the storage of the weights and slots; this object holds the configuration
    and, once built, the slot variables, in Keras 3's order (`iterations`, the
    learning rate, then each optimizer's slots).

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a callable of no
            argument returning a float.
        weight_decay: Decoupled weight decay, applied to every trainable weight
            not excluded with `exclude_from_weight_decay`. Defaults to `None`.
        clipnorm: Clip each gradient to this norm. Defaults to `None`.
        clipvalue: Clip each gradient's values to `[-clipvalue, clipvalue]`.
            Defaults to `None`.
        global_clipnorm: Clip all gradients together to this global norm.
            Defaults to `None`.
        use_ema: Only `False` is supported.
        ema_momentum: Stored in the config; unused. Defaults to `0.99`.
        ema_overwrite_frequency: Stored in the config; unused. Defaults to `None`.
        loss_scale_factor: Only `None` is supported.
        gradient_accumulation_steps: Only `None` is supported.
        name: The optimizer's name. Defaults to one from the class name.
        **kwargs: `decay`, which Keras also ignores.

    Raises:
        ValueError: For an unknown argument, a negative or non-finite clip or
            decay, more than one of the clipping arguments, or an unsupported
            value.

    Limitations:
        `use_ema=True`, `loss_scale_factor` and `gradient_accumulation_steps`
        raise `ValueError`.
    """

    # ((slot name, initial value), ...) created per trainable variable, interleaved
    # within a group, the groups one after another (Keras's add_optimizer_variables).
    def _slot_groups(self):
        return ()

    def __init__(
        self,
        learning_rate,
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
        kwargs.pop("decay", None)  # Keras ignores it with a warning
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if use_ema:
            raise ValueError("kerasette optimizers do not support use_ema=True")
        if loss_scale_factor is not None or gradient_accumulation_steps is not None:
            raise ValueError(
                "kerasette optimizers do not support loss_scale_factor or "
                "gradient_accumulation_steps"
            )
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.name = name or naming.auto_name(type(self).__name__)
        self.weight_decay = _check_positive(weight_decay, "weight_decay")
        self.clipnorm = _check_positive(clipnorm, "clipnorm")
        self.clipvalue = _check_positive(clipvalue, "clipvalue")
        self.global_clipnorm = _check_positive(global_clipnorm, "global_clipnorm")
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._exclude_names = ()
        self._iterations = Variable(
            np.int64(0),
            shape=(),
            dtype="int64",
            trainable=False,
            name="iteration",
            path=f"{self.name}/iteration",
        )
        self._variables = [self._iterations]
        self._trainable_variables = []
        self.slots = {}  # slot name -> [Variable per trainable variable]
        self._learning_rate = None
        self._lr_variable = None
        self._set_learning_rate(learning_rate)

    # ---- learning rate ---------------------------------------------------------------
    def _set_learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules.LearningRateSchedule) or (
            callable(learning_rate) and not isinstance(learning_rate, Variable)
        ):
            if self._lr_variable is not None:
                self._variables.remove(self._lr_variable)
                self._lr_variable = None
            self._learning_rate = learning_rate
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object "
                "as its `learning_rate` constructor argument, hence its learning "
                "rate is not settable. If you need the learning rate to be "
                "settable, you should instantiate the optimizer with a float "
                "`learning_rate` argument."
            )
        if isinstance(learning_rate, Variable) or isinstance(learning_rate, np.ndarray):
            learning_rate = float(np.asarray(learning_rate))
        if isinstance(learning_rate, np.floating):
            learning_rate = float(learning_rate)
        if not isinstance(learning_rate, float) and not (
            self._lr_variable is not None
            and isinstance(learning_rate, numbers.Real)
            and not isinstance(learning_rate, bool)
        ):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current "
                "iteration value and returns the corresponding learning rate "
                f"value). Received instead: learning_rate={learning_rate}"
            )
        _finite_lr(float(learning_rate))
        if self._lr_variable is None:
            self._lr_variable = Variable(
                np.float32(learning_rate),
                shape=(),
                dtype="float32",
                trainable=False,
                name="learning_rate",
                path=f"{self.name}/learning_rate",
            )
            self._variables.insert(1, self._lr_variable)
        else:
            self._lr_variable.assign(np.float32(learning_rate))
        self._learning_rate = self._lr_variable

    @property
    def learning_rate(self):
        """The learning rate now: its Variable, or the schedule's value at `iterations`."""
        if self._lr_variable is not None:
            return self._lr_variable
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return np.float32(self._learning_rate(self.iterations))
        return np.float32(self._learning_rate())

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_learning_rate(value)

    @property
    def learning_rate_schedule(self):
        """The schedule (a callable of the step) or None for a constant rate."""
        lr = self._learning_rate
        return None if lr is self._lr_variable else lr

    def current_learning_rate(self, step=None):
        """float learning rate for `step` (default: the current iterations)."""
        if self._lr_variable is not None:  # assign() may have put a NaN there
            return _finite_lr(float(self._lr_variable.value))
        lr = self._learning_rate
        step = self.iterations if step is None else step
        if isinstance(lr, schedules.LearningRateSchedule):
            return _finite_lr(float(lr(step)), f" (the schedule's value at step {step})")
        return _finite_lr(float(lr()), " (the learning-rate callable's value)")

    # ---- iterations ------------------------------------------------------------------
    @property
    def iterations(self):
        """The number of updates applied so far (settable)."""
        return int(self._iterations.value)

    @iterations.setter
    def iterations(self, value):
        self._iterations.assign(np.int64(value))

    # ---- building --------------------------------------------------------------------
    def build(self, var_list):
        """Creates the slot Variables for `var_list` (the model's trainable weights)."""
        if self.built:
            return
        var_list = list(var_list)
        self._trainable_variables = var_list
        for group in self._slot_groups():
            made = {name: [] for name, _ in group}
            for var in var_list:
                for name, init in group:
                    slot_name = f"{var.path.replace('/', '_')}_{name}"
                    slot = Variable(
                        np.full(var.shape, init, dtype="float32"),
                        shape=var.shape,
                        trainable=False,
                        name=slot_name,
                        path=f"{self.name}/{slot_name}",
                    )
                    made[name].append(slot)
                    self._variables.append(slot)
            self.slots.update(made)
        self._build_extra(var_list)
        self.built = True

    def _build_extra(self, var_list):
        pass

    @property
    def variables(self):
        """The optimizer's variables: `iterations`, the learning rate, then the slots."""
        return list(self._variables)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Excludes weights from `weight_decay` (call it before the optimizer is built).

        Args:
            var_list: Weights to exclude. Defaults to `None`.
            var_names: Substrings of weight paths to exclude (`["bias"]`).
                Defaults to `None`.

        Raises:
            ValueError: If the optimizer is already built.
        """
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before "
                "the optimizer is built."
            )
        ids = tuple(id(v) for v in (var_list or ()))
        self._exclude_ids = ids
        self._exclude_names = tuple(var_names or ())

    def excluded_from_weight_decay(self, variable):
        """Whether `variable` is excluded from weight decay.

        Args:
            variable: A weight.

        Returns:
            A bool.
        """
        if id(variable) in getattr(self, "_exclude_ids", ()):
            return True
        return any(n in variable.path for n in self._exclude_names)

    # ---- config ----------------------------------------------------------------------
    def get_config(self):
        """The optimizer's config: its hyper-parameters (a schedule serialized).

        Returns:
            A JSON-serializable dict that `from_config` reads.

        Raises:
            ValueError: If the learning rate is a plain callable.
        """
        if self._lr_variable is not None:
            learning_rate = float(self._lr_variable.value)  # a float32 round trip, as Keras
        elif isinstance(self._learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(self._learning_rate)
        else:
            raise ValueError(
                f"Cannot serialize optimizer {self.name}: its learning rate is a plain callable"
            )
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates an optimizer from its config (what `get_config` returns).

        Args:
            config: The config dict.
            custom_objects: A dict mapping names to custom schedule classes.
                Defaults to `None`.

        Returns:
            A new optimizer.
        """
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr, custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
