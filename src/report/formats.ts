import type { Colors } from 'picocolors/types';
import { FORMATS, type Format } from './formatNames';
import type { RunReport } from './runReport';
import type { ElementsIndex } from './html/collectElements';

export { FORMATS, type Format };

/**
 * The report in one format; only text is coloured (and only with colours the caller enabled).
 * Each renderer is loaded when asked for: the XML writer alone costs a few hundred ms of start-up.
 * The html page draws the elements of refuted and unmet claims, when given (html/collectElements).
 */
export function renderReport(format: Format, report: RunReport, colours: Colors, elements?: ElementsIndex): string {
  switch (format) {
    case 'text':
      return (require('./textReport') as typeof import('./textReport')).textReport(report, colours);
    case 'json':
      return (require('./jsonReport') as typeof import('./jsonReport')).jsonReport(report);
    case 'junit':
      return (require('./junitReport') as typeof import('./junitReport')).junitReport(report);
    case 'markdown':
      return (require('./markdownReport') as typeof import('./markdownReport')).markdownReport(report);
    case 'html':
      return (require('./html/page') as typeof import('./html/page')).htmlReport(report, elements);
  }
}
