import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({ selector: 'app-capacity-page', template: '<p>TODO</p>', changeDetection: ChangeDetectionStrategy.OnPush })
export default class Page {}
