"""sklearn's own conformance suite on both estimators, with default parameters."""

from sklearn.utils.estimator_checks import parametrize_with_checks

import mutinfo


@parametrize_with_checks([mutinfo.MutualInfoSelector(), mutinfo.DecisionTreeClassifier()])
def test_sklearn_compatible(estimator, check):
    check(estimator)
